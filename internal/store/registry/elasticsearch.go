package registry

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Environment variables holding search engine credentials, so they stay out of shell history.
const (
	esUserEnv     = "AUDITCTL_ES_USER"
	esPasswordEnv = "AUDITCTL_ES_PASSWORD" //nolint:gosec // G101: the name of an environment variable, not a credential
	esAPIKeyEnv   = "AUDITCTL_ES_API_KEY"  //nolint:gosec // G101: the name of an environment variable, not a credential
)

var elasticsearchKind = Kind{
	Name:     "elasticsearch",
	Schemes:  []string{"http", "https"},
	URLForms: "https://host:9200/<index-prefix>",
	NewStore: func(section any, o NewOptions) (store.Store, error) {
		s, err := esstore.New(*section.(*esstore.Config), o.Settings)
		if err == nil {
			s.SetCheckpoints(o.Signer, o.Checkpoints)
		}
		return s, err
	},
	Open: openSearch,
	Flags: func(fs *flag.FlagSet, o *OpenOptions) {
		fs.StringVar(&o.Search.Flavor, "es-flavor", esstore.FlavorElasticsearch, "search engine: elasticsearch or opensearch")
		fs.StringVar(&o.Search.IndexPeriod, "es-index-period", esstore.PeriodDay, "index period the collector writes: day or month (for retention)")
		fs.StringVar(&o.Search.CAFile, "es-ca-file", "", "CA certificate (PEM) for an https search engine")
	},
}

// SearchOptions select an Elasticsearch/OpenSearch store given as
// http(s)://[user:password@]host:port/<index-prefix>; empty fields take the exporter's defaults.
type SearchOptions struct {
	Flavor      string // elasticsearch (default) or opensearch
	IndexPeriod string // day (default) or month: the collector's index period, for retention
	CAFile      string // CA certificate (PEM) for an https engine
}

// openSearch prepares the store; credentials come from the URL or $AUDITCTL_ES_USER,
// $AUDITCTL_ES_PASSWORD, $AUDITCTL_ES_API_KEY.
func openSearch(u *url.URL, o OpenOptions) (Handle, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("store URL %q: want http(s)://host:port/<index-prefix>", u.Redacted())
	}
	cfg := esstore.NewDefaultConfig()
	cfg.Endpoints = []string{u.Scheme + "://" + u.Host}
	if prefix := strings.Trim(u.Path, "/"); prefix != "" {
		cfg.Index.Prefix = prefix
	}
	if o.Search.Flavor != "" {
		cfg.Flavor = o.Search.Flavor
	}
	if o.Search.IndexPeriod != "" {
		cfg.Index.Period = o.Search.IndexPeriod
	}
	cfg.User, cfg.Password, cfg.APIKey = os.Getenv(esUserEnv), configopaque.String(os.Getenv(esPasswordEnv)), configopaque.String(os.Getenv(esAPIKeyEnv))
	if u.User != nil {
		cfg.User = u.User.Username()
		if p, ok := u.User.Password(); ok {
			cfg.Password = configopaque.String(p)
		}
	}
	cfg.TLS.CAFile = o.Search.CAFile
	cfg.Compression = false
	cfg.Retry.MaxAttempts = 2
	// auditctl writes one access or erasure record at a time; one the engine rejects for good is kept here.
	cfg.DeadLetter.Directory = filepath.Join(os.TempDir(), "auditctl-dead-letter")
	s, err := esstore.New(cfg, store.Settings{InstanceID: o.InstanceID})
	if err != nil {
		return nil, err
	}
	return &esHandle{Store: s, location: u.Redacted()}, nil
}

// SearchHandle is a search engine store as a reader opened it; Search is the store the read side's
// erasure and retention engines work on (it verifies its chains and keeps checkpoints itself).
type SearchHandle interface {
	Handle
	Refresher
	Verifier
	Evidencer
	Search() *esstore.Store
}

// esHandle is an Elasticsearch/OpenSearch store opened by a reader.
type esHandle struct {
	*esstore.Store
	location string
}

var _ SearchHandle = (*esHandle)(nil)

func (h *esHandle) Connect(ctx context.Context) error { return h.Start(ctx) }
func (h *esHandle) Location() string                  { return h.location }
func (h *esHandle) Close() error                      { return h.Shutdown(context.Background()) }
func (h *esHandle) Search() *esstore.Store            { return h.Store }

// Verify checks the chains. Documents carry no signatures, so --require-signature cannot be met:
// it is reported as a failure rather than passed over.
func (h *esHandle) Verify(ctx context.Context, opts trail.VerifyOptions) (trail.Report, error) {
	trusted := make([]ed25519.PublicKey, 0, len(opts.PublicKeys))
	for _, k := range opts.PublicKeys {
		trusted = append(trusted, k.Key)
	}
	rep, err := h.Store.Verify(ctx, h.location, trusted...)
	if err == nil && opts.RequireSignature {
		rep.Findings = append(rep.Findings, trail.Finding{
			Kind: trail.Unsigned, Severity: trail.Failure,
			Detail: "search engine documents carry no signatures (their checkpoints do: verify --checkpoints); --require-signature cannot be met",
		})
		rep.Finish()
	}
	return rep, err
}
