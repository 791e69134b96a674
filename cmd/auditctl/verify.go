package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

const verifyDescription = "Checks every record hash, the hash chain, every object against its manifest and every manifest\n" +
	"signature and link. The verification is a read like any other: it appends an access record (with the\n" +
	"number of records checked and of findings) before it prints. On a signed store that record must be\n" +
	"signed too, so a later --require-signature run stays clean: give --signing-key (the collector's key),\n" +
	"or verify refuses (exit 2) and writes nothing."

const verifyExitCodes = "Exit status: 0 clean, 1 integrity findings, 2 usage error (or no audit data at that location, or a\n" +
	"signed store verified without --signing-key), 3 store unreachable or unreadable (or the access record\n" +
	"cannot be written)."

// errEmptyLocation: nothing to verify where --store points; it is reported before any access record
// is written, so a mistyped prefix does not get one.
var errEmptyLocation = errors.New("no audit objects or manifests")

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("verify", "verify --store URL [--pubkey FILE] [--require-signature] [--signing-key FILE] [--as ID] [--json]",
		verifyDescription, stdout, stderr)
	c.exitCodes = verifyExitCodes
	var opts verify.Options
	c.fs.Func("pubkey", "trusted Ed25519 public key (PEM) manifests must be signed with; repeat for rotated keys. "+
		"Without it, keys published in the store are used and the report warns", func(file string) error {
		k, err := verify.LoadPublicKey(file)
		if err != nil {
			return err
		}
		opts.PublicKeys = append(opts.PublicKeys, k)
		return nil
	})
	c.fs.BoolVar(&opts.RequireSignature, "require-signature", false, "treat unsigned manifests as failures")
	ev := addEvidenceFlags(c.fs)
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	if ev.bundle != "" {
		return runVerifyBundle(ev.bundle, c.store.url, opts, c.json, stdout, stderr)
	}
	// A URL that cannot name a store is a usage error; one that names a store we cannot open is not.
	if c.store.url == "" {
		return c.usageError("--store is required")
	}
	st, err := openStore(c.store, c.signingKey)
	if err != nil {
		return c.fail(exitUsage, "%v", err)
	}
	if _, ok := st.Handle.(registry.Verifier); !ok {
		return c.fail(exitUsage, "store URL %q: this store kind keeps no hash chain to verify: %v", st.url, registry.ErrUnsupported)
	}
	if err := st.Connect(ctx); err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	defer c.closeStore(st)
	svc := service.New(st.Handle, c.now)
	svc.SignsAccess(st.signer != nil)
	rep, err := svc.Verify(ctx, c.actor(), storeVerifier{st: st, ev: ev}, opts)
	switch {
	case errors.Is(err, errEmptyLocation):
		// An empty result is far more often a wrong URL or prefix than an empty trail; "OK" would mislead.
		return c.fail(exitUsage, "%v in %s; check --store", err, st.url)
	case errors.Is(err, service.ErrSigningKeyRequired):
		return c.fail(exitUsage, "%v (nothing shown: every read must be logged)", err)
	case errors.Is(err, service.ErrNotLogged):
		return c.fail(exitUnreachable, "%v (nothing shown: every read must be logged)", err)
	case err != nil:
		return c.fail(exitUnreachable, "%v", err)
	}
	return printVerdict(&rep, rep.OK, c.json, stdout, stderr)
}

// storeVerifier is what verify checks: the store's own verification plus the witnesses'
// checkpoints, so the access record counts the findings of both.
type storeVerifier struct {
	st *auditStore
	ev *evidenceFlags
}

func (v storeVerifier) Verify(ctx context.Context, opts trail.VerifyOptions) (trail.Report, error) {
	rep, err := v.st.Handle.(registry.Verifier).Verify(ctx, opts)
	if err != nil {
		return rep, err
	}
	if err := v.ev.checkWitnesses(ctx, v.st, opts, &rep); err != nil {
		return rep, err
	}
	if rep.Counts.Manifests == 0 && rep.Counts.Objects == 0 {
		return rep, fmt.Errorf("%w under prefix %q", errEmptyLocation, rep.Prefix)
	}
	return rep, nil
}
