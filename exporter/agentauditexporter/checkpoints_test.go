package agentauditexporter

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/witnessserver"
)

// TestSignedCheckpointsReachTheWitnessDirectory: with a signing key and a witness directory, the
// exporter's writes leave signed checkpoints, verifiable with the public key, in the witness.
func TestSignedCheckpointsReachTheWitnessDirectory(t *testing.T) {
	dir, witness := t.TempDir(), t.TempDir()
	pub, keyFile := signingKeyFile(t)
	te, _ := newTestExporter(t, dir, nil, func(c *Config) {
		c.Integrity.SigningKeyFile = keyFile
		c.Integrity.Checkpoints.EveryRecords = 1
		c.Integrity.Checkpoints.Witness.Directory = witness
	})
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))

	var found []string
	require.NoError(t, filepath.WalkDir(witness, func(p string, _ os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".checkpoint") {
			found = append(found, p)
		}
		return err
	}))
	require.NotEmpty(t, found)
	trusted, err := evidence.Verifiers(pub)
	require.NoError(t, err)
	raw, err := os.ReadFile(found[0])
	require.NoError(t, err)
	cp, err := evidence.Open(raw, trusted)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(cp.Origin, "/audit/test-traces"), cp.Origin)
	assert.Positive(t, cp.Size)
}

// signingKeyFile writes a new Ed25519 signing key (PKCS#8 PEM) and returns its public half.
func signingKeyFile(t *testing.T) (ed25519.PublicKey, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "signing.pem")
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	return pub, keyFile
}

// TestHTTPWitnessWithTLSAndBearerToken: the HTTP witness is the collector's HTTP client config
// (tls, headers): against a real TLS server requiring a bearer token, the right token gets the
// checkpoints posted; a wrong one fails the exporter's start naming the field and the refusal,
// without the token in the error.
func TestHTTPWitnessWithTLSAndBearerToken(t *testing.T) {
	const token = "collector-witness-token"
	srv := witnessserver.Start(t, token, true)
	_, keyFile := signingKeyFile(t)
	withWitness := func(bearer string) func(*Config) {
		return func(c *Config) {
			c.Integrity.SigningKeyFile = keyFile
			c.Integrity.Checkpoints.EveryRecords = 1
			h := &c.Integrity.Checkpoints.Witness.HTTP
			h.Endpoint, h.TLS.CAFile = srv.URL, srv.CAFile
			h.Headers.Set("Authorization", configopaque.String("Bearer "+bearer))
		}
	}
	te, _ := newTestExporter(t, t.TempDir(), nil, withWitness(token))
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))
	assert.Positive(t, srv.Posts())

	cfg := createDefaultConfig().(*Config)
	cfg.File.Directory, cfg.InstanceID = t.TempDir(), "test"
	withWitness("wrong-token")(cfg)
	require.NoError(t, cfg.Validate())
	ex, err := NewFactory().CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	err = ex.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "integrity.checkpoints.witness.http")
	assert.Contains(t, err.Error(), "refused the credentials")
	assert.NotContains(t, err.Error(), "wrong-token")
	require.NoError(t, ex.Shutdown(context.Background()))

	// A credential over plain http is refused by Validate, naming the field.
	cfg.Integrity.Checkpoints.Witness.HTTP.Endpoint = "http://witness.example.com"
	assert.ErrorContains(t, cfg.Validate(), "integrity.checkpoints.witness.http.headers:")
}
