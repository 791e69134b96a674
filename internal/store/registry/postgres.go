package registry

import (
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

var postgresKind = Kind{
	Name:     "postgres",
	Schemes:  []string{"postgres", "postgresql"},
	URLForms: "postgres://user@host:5432/db?sslmode=verify-full",
	NewStore: func(section any, o NewOptions) (store.Store, error) {
		s, err := pgstore.New(*section.(*pgstore.Config), o.Settings)
		if err == nil {
			s.SetCheckpoints(o.Signer, o.Checkpoints)
		}
		return s, err
	},
	Open: func(u *url.URL, o OpenOptions) (Handle, error) {
		cfg := pgstore.NewDefaultConfig()
		cfg.DSN = configopaque.String(u.String())
		cfg.PasswordFile = o.Postgres.PasswordFile
		cfg.MaxConnections = 2
		// auditctl writes one access or erasure record at a time; one the database rejects is kept here.
		cfg.DeadLetter.Directory = filepath.Join(os.TempDir(), "auditctl-dead-letter")
		s, err := pgstore.New(cfg, store.Settings{InstanceID: o.InstanceID})
		if err != nil {
			return nil, err
		}
		return &pgHandle{Store: s, location: u.Redacted()}, nil
	},
	Flags: func(fs *flag.FlagSet, o *OpenOptions) {
		fs.StringVar(&o.Postgres.PasswordFile, "postgres-password-file", "", "file holding the PostgreSQL password (else the URL's, $PGPASSWORD or ~/.pgpass)")
	},
}

// PostgresOptions are the PostgreSQL settings a URL does not carry.
type PostgresOptions struct {
	PasswordFile string // file holding the password (else the URL's, $PGPASSWORD or ~/.pgpass)
}

// PostgresHandle is a PostgreSQL store as a reader opened it; Postgres is the store the read side's
// erasure engine works on (it expires and verifies itself).
type PostgresHandle interface {
	Handle
	Expirer
	Verifier
	Evidencer
	Postgres() *pgstore.Store
}

// pgHandle is a PostgreSQL store opened by auditctl: it erases by tombstones, expires whole monthly
// partitions and verifies its chains.
type pgHandle struct {
	*pgstore.Store
	location string
}

var _ PostgresHandle = (*pgHandle)(nil)

// Connect opens the pool and checks the schema; unlike the collector, auditctl wants an answer now.
// A failed Connect closes the pool again: the caller got no store to close.
func (h *pgHandle) Connect(ctx context.Context) error {
	err := h.Start(ctx)
	if err == nil {
		err = h.Pool().Ping(ctx)
	}
	if err != nil {
		_ = h.Shutdown(ctx) // only closes the pool; the Connect error is what the caller reports
		return err
	}
	return nil
}

func (h *pgHandle) Location() string         { return h.location }
func (h *pgHandle) Close() error             { return h.Shutdown(context.Background()) }
func (h *pgHandle) Postgres() *pgstore.Store { return h.Store }

func (h *pgHandle) DescribeExpiry(verb string, res trail.RetainResult) string {
	return pgstore.DescribeExpiry(verb, res)
}

// Verify checks the chains. Rows carry no signatures, so --require-signature cannot be met: it is
// reported as a failure rather than passed over.
func (h *pgHandle) Verify(ctx context.Context, opts trail.VerifyOptions) (trail.Report, error) {
	rep, err := h.Store.Verify(ctx, h.location)
	if err == nil && opts.RequireSignature {
		rep.Findings = append(rep.Findings, trail.Finding{
			Kind: trail.Unsigned, Severity: trail.Failure,
			Detail: "PostgreSQL rows carry no signatures (their protection is the append-only trigger and the grants); --require-signature cannot be met",
		})
		rep.Finish()
	}
	return rep, err
}
