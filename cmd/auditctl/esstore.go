package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
)

// Environment variables holding search engine credentials, so they stay out of shell history.
const (
	esUserEnv     = "AUDITCTL_ES_USER"
	esPasswordEnv = "AUDITCTL_ES_PASSWORD"
	esAPIKeyEnv   = "AUDITCTL_ES_API_KEY"
)

// esFlags select and authenticate an Elasticsearch/OpenSearch store given as
// http(s)://[user:password@]host:port/<index-prefix>.
type esFlags struct {
	flavor, period, caFile string
}

func addESFlags(fs *flag.FlagSet) *esFlags {
	f := &esFlags{}
	fs.StringVar(&f.flavor, "es-flavor", esstore.FlavorElasticsearch, "search engine: elasticsearch or opensearch")
	fs.StringVar(&f.period, "es-index-period", esstore.PeriodDay, "index period the collector writes: day or month (for retention)")
	fs.StringVar(&f.caFile, "es-ca-file", "", "CA certificate (PEM) for an https search engine")
	return f
}

// isSearchEngineURL reports whether raw names an Elasticsearch/OpenSearch store.
func isSearchEngineURL(raw string) bool {
	return strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://")
}

// openSearchEngine opens the store; credentials come from the URL or $AUDITCTL_ES_USER,
// $AUDITCTL_ES_PASSWORD, $AUDITCTL_ES_API_KEY.
func (f *esFlags) open(ctx context.Context, raw string) (*esstore.Store, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, "", fmt.Errorf("store URL %q: want http(s)://host:port/<index-prefix>", raw)
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
	s, err := esstore.New(cfg, store.Settings{InstanceID: writerInstance()})
	if err != nil {
		return nil, "", err
	}
	if err := s.Start(ctx); err != nil {
		return nil, "", err
	}
	return s, u.Redacted(), nil
}
