package piiredactionprocessor

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	id := component.NewID(metadata.Type)
	if name != "" {
		id = component.NewIDWithName(metadata.Type, name)
	}
	sub, err := cm.Sub(id.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	if err := confmap.Validate(def); err != nil {
		t.Fatalf("default config must be valid: %v", err)
	}
	if def.Action != "redact" || !def.ScanJSON || !def.Summary || def.MaxDepth != 32 || len(def.AllowKeys) == 0 || len(def.SecretKeys) == 0 {
		t.Errorf("unexpected defaults: %+v", def)
	}

	gw := loadConfig(t, "gateway")
	if err := confmap.Validate(gw); err != nil {
		t.Fatalf("gateway config must be valid: %v", err)
	}
	if gw.Detectors["CREDIT_CARD"].Action != "mask" || *gw.Detectors["IP_ADDRESS"].Enabled || len(gw.CustomDetectors) != 2 ||
		gw.CustomDetectors[1].Validator != "luhn" || string(gw.HMACKey) != "0123456789abcdef0123456789abcdef" ||
		gw.MaxDepth != 16 || gw.Summary || len(gw.SecretKeys) != 3 || len(gw.AllowKeys) != 2 {
		t.Errorf("gateway config not loaded as written: %+v", gw)
	}
}

func TestConfigValidationNamesTheField(t *testing.T) {
	for name, field := range map[string]string{
		"bad_regex":        "custom_detectors[0].regex",
		"unknown_detector": "detectors::PASSPORT",
		"short_key":        "hmac_key: must be at least 32 bytes",
		"hash_without_key": "hmac_key: required",
		"bad_action":       "action: unknown action",
		"bad_validator":    "custom_detectors[0].validator",
		"bad_custom_name":  "custom_detectors[0].name",
		"bad_depth":        "max_depth",
	} {
		t.Run(name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, name))
			if err == nil || !strings.Contains(err.Error(), field) {
				t.Fatalf("want an error naming %q, got %v", field, err)
			}
		})
	}
}

func TestHMACKeyNeverInErrors(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Action = "hash"
	cfg.HMACKey = "secret-but-short"
	err := cfg.Validate()
	if err == nil || strings.Contains(err.Error(), "secret-but-short") {
		t.Fatalf("short key must be rejected without echoing it: %v", err)
	}
}

// TestHMACKeyFromEnvironment resolves hmac_key through the collector's env provider, as a
// deployment would with ${env:PII_HMAC_KEY}, and checks the minimum length on the resolved value.
func TestHMACKeyFromEnvironment(t *testing.T) {
	load := func(t *testing.T) *Config {
		t.Helper()
		resolver, err := confmap.NewResolver(confmap.ResolverSettings{
			URIs:              []string{"file:" + filepath.Join("testdata", "config_env.yaml")},
			ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
		})
		if err != nil {
			t.Fatal(err)
		}
		conf, err := resolver.Resolve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sub, err := conf.Sub("piiredaction/analytics")
		if err != nil {
			t.Fatal(err)
		}
		cfg := createDefaultConfig().(*Config)
		if err := sub.Unmarshal(cfg); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	key := strings.Repeat("k3y-", 8)
	t.Setenv("PII_HMAC_KEY", key)
	cfg := load(t)
	if string(cfg.HMACKey) != key || confmap.Validate(cfg) != nil {
		t.Fatalf("key from the environment not accepted")
	}
	if s := fmt.Sprintf("%v %+v", cfg.HMACKey, cfg); strings.Contains(s, key) {
		t.Errorf("the HMAC key must print masked")
	}
	t.Setenv("PII_HMAC_KEY", "short")
	if err := confmap.Validate(load(t)); err == nil || !strings.Contains(err.Error(), "hmac_key") {
		t.Errorf("a short key from the environment must be rejected: %v", err)
	}
}
