package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditctl verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	store := addStoreFlags(fs)
	var opts verify.Options
	fs.Func("pubkey", "trusted Ed25519 public key (PEM) manifests must be signed with; repeat for rotated keys. "+
		"Without it, keys published in the store are used and the report warns", func(file string) error {
		k, err := verify.LoadPublicKey(file)
		if err != nil {
			return err
		}
		opts.PublicKeys = append(opts.PublicKeys, k)
		return nil
	})
	fs.BoolVar(&opts.RequireSignature, "require-signature", false, "treat unsigned manifests as failures")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	ev := addEvidenceFlags(fs)
	fs.Usage = func() {
		diag(stderr, "%s\n", "usage: auditctl verify --store URL [--pubkey FILE] [--require-signature] [--json]\n\n"+
			"Checks every record hash, the hash chain, every object against its manifest and every manifest\n"+
			"signature and link. Exit status: 0 clean, 1 integrity findings, 2 usage error (or no audit data\n"+
			"at that location), 3 store unreachable or unreadable.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		diag(stderr, "auditctl verify: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	if ev.bundle != "" {
		return runVerifyBundle(ev.bundle, store.url, opts, *asJSON, stdout, stderr)
	}
	// A URL that cannot name a store is a usage error; one that names a store we cannot open is not.
	if store.url == "" {
		diag(stderr, "auditctl verify: --store is required\n")
		return exitUsage
	}
	st, err := openStore(store, "")
	if err != nil {
		diag(stderr, "auditctl verify: %v\n", err)
		return exitUsage
	}
	verifier, ok := st.Handle.(registry.Verifier)
	if !ok {
		diag(stderr, "auditctl verify: store URL %q: this store kind keeps no hash chain to verify: %v\n", st.url, registry.ErrUnsupported)
		return exitUsage
	}
	if err := st.Connect(ctx); err != nil {
		diag(stderr, "auditctl verify: %v\n", err)
		return exitUnreachable
	}
	defer func() {
		if err := st.Close(); err != nil {
			diag(stderr, "auditctl verify: warning: close %s: %v\n", st.url, err)
		}
	}()
	rep, err := verifier.Verify(ctx, opts)
	if err != nil {
		diag(stderr, "auditctl verify: %v\n", err)
		return exitUnreachable
	}
	if err := ev.checkWitnesses(ctx, st, opts, &rep); err != nil {
		diag(stderr, "auditctl verify: %v\n", err)
		return exitUnreachable
	}
	if rep.Counts.Manifests == 0 && rep.Counts.Objects == 0 {
		// An empty result is far more often a wrong URL or prefix than an empty trail; "OK" would mislead.
		diag(stderr, "auditctl verify: no audit objects or manifests in %s under prefix %q; check --store\n", rep.Store, rep.Prefix)
		return exitUsage
	}
	return printVerdict(&rep, rep.OK, *asJSON, stdout, stderr)
}
