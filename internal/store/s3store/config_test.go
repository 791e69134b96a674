package s3store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

func loadConfig(t *testing.T, section string) Config {
	t.Helper()
	conf, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conf.Sub(section)
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewDefaultConfig()
	if err := sub.Unmarshal(&cfg); err != nil {
		t.Fatalf("unmarshal %s: %v", section, err)
	}
	return cfg
}

func TestConfigMinimalKeepsDefaults(t *testing.T) {
	cfg := loadConfig(t, "minimal")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := NewDefaultConfig()
	want.Bucket = "audit-archive"
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
}

func TestConfigFullReadsEveryField(t *testing.T) {
	cfg := loadConfig(t, "full")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Bucket:             "audit-archive",
		Prefix:             "prod/audit",
		Region:             "eu-central-1",
		Endpoint:           "https://s3.eu-central-1.amazonaws.com",
		ForcePathStyle:     true,
		AccessKeyID:        "AKIAEXAMPLE",
		SecretAccessKey:    "example-secret",
		SessionToken:       "example-token",
		StorageClass:       "STANDARD_IA",
		SSE:                SSEKMS,
		SSEKMSKeyID:        "arn:aws:kms:eu-central-1:111122223333:key/1234abcd",
		ObjectLock:         ObjectLockConfig{Mode: LockCompliance, RetainDays: 2555},
		Compression:        CompressionNone,
		MultipartThreshold: 64 << 20,
	}
	if cfg != want {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
}

func TestConfigValidateNamesTheField(t *testing.T) {
	for section, want := range map[string]string{
		"missing_bucket":      "bucket: must be set",
		"bucket_is_url":       "bucket: must be a bucket name",
		"bad_sse":             "sse: must be",
		"kms_key_without_kms": "sse_kms_key_id: only allowed with sse: aws:kms",
		"lock_without_days":   "object_lock.retain_days: must be > 0",
		"bad_lock_mode":       "object_lock.mode: must be GOVERNANCE or COMPLIANCE",
		"bad_storage_class":   `storage_class: unknown storage class "COLD"`,
		"bad_compression":     "compression: must be gzip or none",
		"small_multipart":     "multipart_threshold: must be at least 5242880 bytes",
		"half_credentials":    "access_key_id: access_key_id and secret_access_key must be set together",
		"bad_endpoint":        "endpoint: must be an http:// or https:// URL",
	} {
		t.Run(section, func(t *testing.T) {
			err := loadConfig(t, section).Validate()
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("Validate() = %v, want prefix %q", err, want)
			}
		})
	}
}

func TestCredentialsAreOpaqueWhenPrinted(t *testing.T) {
	cfg := loadConfig(t, "full")
	if s := cfg.SecretAccessKey.String(); strings.Contains(s, "example-secret") {
		t.Errorf("secret printed as %q", s)
	}
}

// The shipped config/s3.yaml, resolved with its environment variables, yields a valid s3 section.
func TestShippedS3ConfigResolves(t *testing.T) {
	t.Setenv("AGENTAUDIT_S3_BUCKET", "acme-audit")
	t.Setenv("AGENTAUDIT_S3_OBJECT_LOCK_MODE", "COMPLIANCE")
	t.Setenv("AGENTAUDIT_S3_RETAIN_DAYS", "2555")
	t.Setenv("AGENTAUDIT_S3_PATH_STYLE", "true")
	resolver, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{"file:" + filepath.Join(peers.RepoRoot(t), "config", "s3.yaml")},
		ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
		DefaultScheme:     "env",
	})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := resolver.Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conf.Sub("exporters::agentaudit::s3")
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewDefaultConfig()
	if err := sub.Unmarshal(&cfg); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Bucket != "acme-audit" || cfg.Prefix != "audit" || !cfg.ForcePathStyle ||
		cfg.ObjectLock != (ObjectLockConfig{Mode: LockCompliance, RetainDays: 2555}) || cfg.Compression != CompressionGzip {
		t.Errorf("resolved %+v", cfg)
	}
}
