package registry

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
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
		return esstore.New(*section.(*esstore.Config), o.Settings)
	},
	Flags: func(fs *flag.FlagSet) Opener {
		f := &esFlags{}
		fs.StringVar(&f.flavor, "es-flavor", esstore.FlavorElasticsearch, "search engine: elasticsearch or opensearch")
		fs.StringVar(&f.period, "es-index-period", esstore.PeriodDay, "index period the collector writes: day or month (for retention)")
		fs.StringVar(&f.caFile, "es-ca-file", "", "CA certificate (PEM) for an https search engine")
		return f.open
	},
}

// esFlags select and authenticate an Elasticsearch/OpenSearch store given as
// http(s)://[user:password@]host:port/<index-prefix>.
type esFlags struct {
	flavor, period, caFile string
}

// open prepares the store; credentials come from the URL or $AUDITCTL_ES_USER, $AUDITCTL_ES_PASSWORD,
// $AUDITCTL_ES_API_KEY.
func (f *esFlags) open(u *url.URL, o OpenOptions) (Handle, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("store URL %q: want http(s)://host:port/<index-prefix>", u.Redacted())
	}
	cfg := esstore.NewDefaultConfig()
	cfg.Endpoints = []string{u.Scheme + "://" + u.Host}
	if prefix := strings.Trim(u.Path, "/"); prefix != "" {
		cfg.Index.Prefix = prefix
	}
	cfg.Flavor, cfg.Index.Period = f.flavor, f.period
	cfg.User, cfg.Password, cfg.APIKey = os.Getenv(esUserEnv), configopaque.String(os.Getenv(esPasswordEnv)), configopaque.String(os.Getenv(esAPIKeyEnv))
	if u.User != nil {
		cfg.User = u.User.Username()
		if p, ok := u.User.Password(); ok {
			cfg.Password = configopaque.String(p)
		}
	}
	cfg.TLS.CAFile = f.caFile
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

// esHandle is an Elasticsearch/OpenSearch store opened by auditctl. It erases by deleting (a search
// engine keeps no hash chain that tombstones would have to preserve) and expires whole indices; it
// has no verifier.
type esHandle struct {
	*esstore.Store
	location string
}

var (
	_ Eraser    = (*esHandle)(nil)
	_ Expirer   = (*esHandle)(nil)
	_ Refresher = (*esHandle)(nil)
)

func (h *esHandle) Connect(ctx context.Context) error { return h.Start(ctx) }
func (h *esHandle) Location() string                  { return h.location }
func (h *esHandle) Close() error                      { return h.Shutdown(context.Background()) }

func (h *esHandle) Forget(ctx context.Context, opts erase.Options) (erase.Result, error) {
	return erase.ForgetIndexed(ctx, h.Store, h.Store, opts)
}

func (h *esHandle) Expire(ctx context.Context, opts retain.Options) (retain.Result, error) {
	return retain.ExpireIndices(ctx, h.Store, opts)
}

func (h *esHandle) DescribeExpiry(verb string, res retain.Result) string {
	return fmt.Sprintf("%s %d indices older than %s", verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339))
}
