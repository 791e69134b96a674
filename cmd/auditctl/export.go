package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/bundle"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("export", "export --store URL (--session ID | --user ID | --from T --to T) -o FILE",
		"Writes an evidence bundle (zip): the selected records as stored, an inclusion proof for each\n"+
			"against its stream's newest signed checkpoint, those checkpoints, the public keys and a README.\n"+
			"The recipient checks it offline with `auditctl verify --bundle FILE --pubkey KEY`. The export\n"+
			"is recorded in the access log. File, S3, PostgreSQL and search engine stores.", stdout, stderr)
	session := c.fs.String("session", "", "the records of this session (and of its traces' records without a session id)")
	user := c.fs.String("user", "", "the records of this user")
	out := c.fs.String("o", "", "bundle file to write (required)")
	c.timeRange()
	c.emptyIsNotFound = true
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	if *out == "" {
		return c.usageError("-o FILE is required")
	}
	if *session != "" && *user != "" {
		return c.usageError("give --session or --user, not both")
	}
	q, err := c.query()
	if err != nil {
		return c.usageError("%v", err)
	}
	if *session == "" && *user == "" && q.From.IsZero() && q.To.IsZero() {
		return c.usageError("select the records: --session ID, --user ID or --from/--to")
	}
	q.SessionID, q.UserID = *session, *user
	selection := ""
	switch {
	case *session != "":
		selection = "session " + *session
	case *user != "":
		selection = "user " + *user
	default:
		selection = "records"
	}
	selection += service.RangeLabel(q)
	if st, err := openStore(c.store, ""); err != nil {
		return c.fail(exitUsage, "%v", err)
	} else if _, ok := st.Handle.(registry.Evidencer); !ok {
		return c.fail(exitUsage, "store %s: evidence bundles need a store with checkpoints (file, S3, PostgreSQL, search engine): %v", st.url, registry.ErrUnsupported)
	}
	return c.readAndLog(ctx, func(svc *service.Service, st *auditStore) (int, string, func() error, error) {
		res, err := bundle.ExportSigned(ctx, st.Handle.(registry.Evidencer).Ledger(), q, selection, st.url, c.now(), st.signer)
		if err != nil {
			return 0, "", nil, err
		}
		// The bundle is computed below the record interface (it needs manifests and proofs), so it
		// is logged here, through the service, before anything is written out.
		if err := svc.Log(ctx, c.actor(), "evidence bundle of "+selection, res.Records); err != nil {
			return 0, "", nil, err
		}
		return res.Records, "evidence bundle of " + selection, func() error {
			if err := os.WriteFile(*out, res.Data, 0o600); err != nil {
				return err
			}
			_, err := fmt.Fprintf(stdout, "wrote %s: %d records (%d without a covering checkpoint) from %d streams, %d proof hashes, %d bytes\n",
				*out, res.Records, res.Unproven, res.Streams, res.ProofHash, len(res.Data))
			return err
		}, nil
	})
}

// runVerifyBundle is `auditctl verify --bundle FILE`: offline, with the --pubkey keys (else the
// bundle's own, with a warning).
func runVerifyBundle(file, storeURL string, opts verify.Options, asJSON bool, stdout, stderr io.Writer) int {
	if storeURL != "" {
		diag(stderr, "auditctl verify: --bundle is checked offline; drop --store\n")
		return exitUsage
	}
	data, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the bundle; reading it is the point
	if err != nil {
		diag(stderr, "auditctl verify: --bundle: %v\n", err)
		return exitUsage
	}
	keys := make([]ed25519.PublicKey, 0, len(opts.PublicKeys))
	for _, k := range opts.PublicKeys {
		keys = append(keys, k.Key)
	}
	rep, err := bundle.Check(data, keys)
	if err != nil {
		diag(stderr, "auditctl verify: --bundle %s: %v\n", file, err)
		return exitUsage
	}
	return printVerdict(&rep, rep.OK, asJSON, stdout, stderr)
}

// printVerdict prints a verify report (of a store or a bundle) and returns verify's exit status.
func printVerdict(rep interface {
	WriteJSON(io.Writer) error
	WriteText(io.Writer) error
}, ok, asJSON bool, stdout, stderr io.Writer,
) int {
	var err error
	if asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		diag(stderr, "auditctl verify: write report: %v\n", err)
		return exitUsage
	}
	if !ok {
		return exitFindings
	}
	return exitOK
}
