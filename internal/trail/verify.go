package trail

import (
	"crypto/ed25519"
	"fmt"
	"os"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// PublicKey is a key the verifier trusts, with where it came from (for the report).
type PublicKey struct {
	Key    ed25519.PublicKey
	Source string
}

// LoadPublicKey reads a PEM "PUBLIC KEY" Ed25519 file.
func LoadPublicKey(file string) (PublicKey, error) {
	b, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the key file (--pubkey); reading it is the point
	if err != nil {
		return PublicKey{}, err
	}
	k, err := objectstore.ParsePublicKey(b)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%s: %w", file, err)
	}
	return PublicKey{Key: k, Source: file}, nil
}

// VerifyOptions tunes a verification.
type VerifyOptions struct {
	// PublicKeys are the keys manifests must be signed with. When empty, keys published in the store
	// under <prefix>/_keys are trusted instead, and the report says so.
	PublicKeys []PublicKey
	// RequireSignature turns unsigned manifests into failures.
	RequireSignature bool
}
