package kafkaauthcheckextension

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agentaudit/otelcol-agentaudit/extension/kafkaauthcheckextension/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestSASLOverTLSConfigLoadsWithContribsFields(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"broker-1:9093", "broker-2:9093"}, cfg.Brokers)
	assert.Equal(t, "otel-collector", cfg.ClientID, "configkafka's default client_id")
	assert.Equal(t, 10*time.Second, cfg.Timeout)
	require.NotNil(t, cfg.TLS)
	assert.Equal(t, "./testdata/ca.crt", cfg.TLS.CAFile)
	assert.True(t, cfg.usesTLS())
	require.NotNil(t, cfg.Authentication.SASL)
	assert.Equal(t, "SCRAM-SHA-512", cfg.Authentication.SASL.Mechanism)
}

func TestTLSOnlyConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "tls_only")
	require.NoError(t, err, "a TLS certificate check alone is something to check")
	assert.Equal(t, 3*time.Second, cfg.Timeout)
	assert.Nil(t, cfg.Authentication.SASL)
}

func TestInvalidConfigsNameTheirField(t *testing.T) {
	for name, want := range map[string]string{
		"no_brokers":        "brokers",
		"nothing_to_check":  "auth.sasl or tls: at least one must be set",
		"insecure_tls_only": "auth.sasl or tls: at least one must be set",
		"no_password":       "auth.sasl.password: must be set",
		"no_username":       "auth.sasl.username: must be set",
		"oauth":             `auth.sasl.mechanism: "AWS_MSK_IAM_OAUTHBEARER" is not checked`,
		"kerberos":          "auth.kerberos: not checked",
		"bad_timeout":       "timeout: must be positive",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
			assert.NotContains(t, err.Error(), "secret", "an error never carries the password")
		})
	}
}
