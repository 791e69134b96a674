package esstore

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

func loadConfig(t *testing.T, name string) Config {
	t.Helper()
	conf, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conf.Sub(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewDefaultConfig()
	if err := sub.Unmarshal(&cfg); err != nil {
		t.Fatalf("unmarshal %s: %v", name, err)
	}
	return cfg
}

func TestConfigLoadsValidExamples(t *testing.T) {
	es := loadConfig(t, "elasticsearch")
	if err := es.Validate(); err != nil {
		t.Fatalf("elasticsearch example: %v", err)
	}
	if got, want := es.Endpoints, []string{"https://es-1.internal:9200", "https://es-2.internal:9200"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("endpoints = %v, want %v", got, want)
	}
	if string(es.APIKey) != "aWQ6a2V5" || es.TLS.CAFile != "/etc/agentaudit/es-ca.pem" {
		t.Errorf("api_key/tls not loaded: %+v", es)
	}
	if es.Index.Shards != 2 || es.Bulk.Workers != 4 || es.Retry.MaxAttempts != 3 || es.Retry.InitialInterval != 200*time.Millisecond {
		t.Errorf("index/bulk/retry not loaded: %+v %+v %+v", es.Index, es.Bulk, es.Retry)
	}
	if d, _ := ParseRetention(es.Retention); d != 90*24*time.Hour {
		t.Errorf("retention = %s, want 2160h", d)
	}

	os := loadConfig(t, "opensearch")
	if err := os.Validate(); err != nil {
		t.Fatalf("opensearch example: %v", err)
	}
	// Unset fields keep their defaults.
	if os.Index.Shards != 1 || os.Bulk.FlushBytes != 5<<20 || !os.Compression || os.Index.Period != PeriodMonth {
		t.Errorf("defaults not kept: %+v", os)
	}
}

func TestConfigValidationNamesTheField(t *testing.T) {
	for name, field := range map[string]string{
		"no_endpoints":          "endpoints:",
		"bad_endpoint":          "endpoints[0]:",
		"bad_flavor":            "flavor:",
		"uppercase_prefix":      "index.prefix:",
		"bad_period":            "index.period:",
		"bad_retention":         "retention:",
		"password_without_user": "password:",
		"api_key_and_user":      "api_key:",
		"api_key_on_opensearch": "api_key:",
		"no_dead_letter":        "dead_letter.directory:",
		"zero_workers":          "bulk.workers:",
		"bad_retry":             "retry.max_attempts:",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := loadConfig(t, name)
			err := cfg.Validate()
			if err == nil {
				t.Fatalf("Validate() = nil, want an error naming %q", field)
			}
			if !strings.Contains(err.Error(), field) {
				t.Errorf("Validate() = %q, want it to name %q", err, field)
			}
			if strings.Contains(err.Error(), "s3cret-password") {
				t.Errorf("Validate() leaks the password: %q", err)
			}
		})
	}
}

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "90d": 90 * 24 * time.Hour, "1d": 24 * time.Hour, "36h": 36 * time.Hour} {
		if got, err := ParseRetention(in); err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"0d", "-3d", "3 months", "d", "90"} {
		if _, err := ParseRetention(in); err == nil {
			t.Errorf("ParseRetention(%q) = nil error, want one", in)
		}
	}
}

// TestExampleConfigValidates keeps config/elasticsearch.yaml in step with Config: its
// elasticsearch section, with every ${env:NAME:-default} at its default, must load and validate.
func TestExampleConfigValidates(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(peers.RepoRoot(t), "config", "elasticsearch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	expanded := regexp.MustCompile(`\$\{env:[A-Z0-9_]+:-([^}]*)\}`).ReplaceAllString(string(raw), "$1")
	path := filepath.Join(t.TempDir(), "elasticsearch.yaml")
	if err := os.WriteFile(path, []byte(expanded), 0o600); err != nil {
		t.Fatal(err)
	}
	conf, err := confmaptest.LoadConf(path)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conf.Sub("exporters::agentaudit::elasticsearch")
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewDefaultConfig()
	if err := sub.Unmarshal(&cfg); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config/elasticsearch.yaml: %v", err)
	}
	if cfg.Retention != "90d" || cfg.Endpoints[0] != "https://127.0.0.1:9200" {
		t.Errorf("example not loaded as written: %+v", cfg)
	}
}
