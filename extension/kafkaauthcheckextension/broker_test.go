package kafkaauthcheckextension

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/agentaudit/otelcol-agentaudit/extension/kafkaauthcheckextension/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/kafkabroker"
)

// The real broker (scripts/kafka-broker) with a SASL_SSL listener, SCRAM-SHA-512.
var (
	saslListener = &kafkabroker.SASLListener{User: "sidecar", Password: "the-right-password"}
	sharedKafka  = &kafkabroker.Shared{Setup: kafkabroker.SCRAMOverTLS(saslListener, 1)}
)

// startCheck runs the extension's Start with cfg and returns its error and what it logged.
func startCheck(t *testing.T, cfg *Config) (*observer.ObservedLogs, error) {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	set := extensiontest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	ext, err := NewFactory().Create(context.Background(), set, cfg)
	require.NoError(t, err)
	startErr := ext.Start(context.Background(), componenttest.NewNopHost())
	require.NoError(t, ext.Shutdown(context.Background()))
	return logs, startErr
}

// saslConfig is a check of the broker's SASL_SSL listener with password, trusting the broker's CA.
func saslConfig(t *testing.T, password string) *Config {
	t.Helper()
	sharedKafka.Get(t) // sets the listener's address and CA
	cfg := createDefaultConfig().(*Config)
	cfg.Brokers = []string{saslListener.Addr}
	cfg.Timeout = 20 * time.Second
	cfg.TLS = &configtls.ClientConfig{Config: configtls.Config{CAFile: saslListener.CAFile}}
	cfg.Authentication.SASL = &configkafka.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: saslListener.User, Password: password}
	require.NoError(t, cfg.Validate())
	return cfg
}

func TestRightCredentialsStart(t *testing.T) {
	logs, err := startCheck(t, saslConfig(t, saslListener.Password))
	require.NoError(t, err)
	assert.Equal(t, 1, logs.FilterMessageSnippet("accepted the credentials").Len())
}

func TestWrongPasswordFailsStartNamingTheSetting(t *testing.T) {
	_, err := startCheck(t, saslConfig(t, "not-the-password"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused the SASL credentials")
	assert.Contains(t, err.Error(), "auth.sasl.username / auth.sasl.password")
	assert.Contains(t, err.Error(), saslListener.Addr)
	assert.NotContains(t, err.Error(), "not-the-password")
}

func TestUnknownUserFailsStart(t *testing.T) {
	cfg := saslConfig(t, saslListener.Password)
	cfg.Authentication.SASL.Username = "nobody"
	_, err := startCheck(t, cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth.sasl.username / auth.sasl.password")
	assert.NotContains(t, err.Error(), saslListener.Password)
}

func TestCertificateFromAnotherCAFailsStartNamingTLS(t *testing.T) {
	cfg := saslConfig(t, saslListener.Password)
	cfg.TLS.CAFile = otherCA(t)
	_, err := startCheck(t, cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TLS certificate of broker "+saslListener.Addr+" does not verify")
	assert.Contains(t, err.Error(), "tls: ca_file")
}

// TestUnreachableBrokerOnlyWarns: nothing listens on the port (a Kafka outage): the start succeeds
// and says the credentials were not checked, so a sidecar still starts and queues.
func TestUnreachableBrokerOnlyWarns(t *testing.T) {
	cfg := saslConfig(t, "not-the-password")
	cfg.Brokers = []string{closedPort(t)}
	cfg.Timeout = 3 * time.Second
	logs, err := startCheck(t, cfg)
	require.NoError(t, err)
	warned := logs.FilterMessageSnippet("not reachable at start")
	require.Equal(t, 1, warned.Len())
	assert.Equal(t, zap.WarnLevel, warned.All()[0].Level)
	assert.NotContains(t, fmt.Sprint(warned.All()[0].Context), "not-the-password")
}

// TestOneRefusingBrokerFailsStartBesideAnUnreachableOne: the refusal wins over the outage of
// another seed broker.
func TestOneRefusingBrokerFailsStartBesideAnUnreachableOne(t *testing.T) {
	cfg := saslConfig(t, "not-the-password")
	cfg.Brokers = []string{closedPort(t), saslListener.Addr}
	_, err := startCheck(t, cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth.sasl.username / auth.sasl.password")
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// otherCA writes a self-signed CA certificate that did not sign the broker's.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "other-ca.crt")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return path
}
