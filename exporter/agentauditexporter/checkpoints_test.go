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

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// TestSignedCheckpointsReachTheWitnessDirectory: with a signing key and a witness directory, the
// exporter's writes leave signed checkpoints, verifiable with the public key, in the witness.
func TestSignedCheckpointsReachTheWitnessDirectory(t *testing.T) {
	dir, witness := t.TempDir(), t.TempDir()
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "signing.pem")
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
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
