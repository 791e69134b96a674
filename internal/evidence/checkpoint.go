package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a tree head in the C2SP tlog-checkpoint format: the origin (which log), the tree
// size and the root hash, each on its own line; the signed form is a sumdb/note signed note.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   Hash
}

// Origin names a stream's log: the store's name and the stream, e.g. "acme-audit/audit/gw-1-traces".
func Origin(storeName, stream string) string {
	return strings.TrimSuffix(storeName, "/") + "/" + stream
}

// Body is the checkpoint's note text.
func (c Checkpoint) Body() string {
	return c.Origin + "\n" + strconv.FormatUint(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n"
}

// ParseBody reads a checkpoint's note text (extension lines after the root are allowed and ignored).
func ParseBody(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root hash lines")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || (lines[1] != "0" && strings.HasPrefix(lines[1], "0")) {
		return Checkpoint{}, fmt.Errorf("checkpoint: tree size %q is not a decimal number", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	var c Checkpoint
	if err != nil || len(raw) != len(c.Root) {
		return Checkpoint{}, fmt.Errorf("checkpoint: root hash %q is not base64 of 32 bytes", lines[2])
	}
	c.Origin, c.Size = lines[0], size
	copy(c.Root[:], raw)
	return c, nil
}

// KeyName is the note key name of the Ed25519 key with the given fingerprint (the same fingerprint
// manifests name in key_fingerprint), so a verifier holding only the PEM public key knows it.
func KeyName(fingerprint string) string { return "agentaudit-" + fingerprint }

// fingerprint is objectstore.Fingerprint (repeated here, four lines, so this package depends on no store).
func fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:16]
}

// NewSigner returns the note signer of an Ed25519 private key, named KeyName(fingerprint).
func NewSigner(key ed25519.PrivateKey) (note.Signer, error) {
	pub := key.Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(KeyName(fingerprint(pub)), pub)
	if err != nil {
		return nil, err
	}
	name, rest, _ := strings.Cut(vkey, "+")
	hash, _, _ := strings.Cut(rest, "+")
	skey := "PRIVATE+KEY+" + name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	return note.NewSigner(skey)
}

// VerifierKey is the note verifier key ("name+hash+base64") of an Ed25519 public key: what
// stock checkpoint tooling takes.
func VerifierKey(pub ed25519.PublicKey) (string, error) {
	return note.NewEd25519VerifierKey(KeyName(fingerprint(pub)), pub)
}

// Verifiers turns trusted public keys into note verifiers.
func Verifiers(pubs ...ed25519.PublicKey) (note.Verifiers, error) {
	vs := make([]note.Verifier, 0, len(pubs))
	for _, p := range pubs {
		vkey, err := VerifierKey(p)
		if err != nil {
			return nil, err
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}

// Sign returns the signed checkpoint note.
func Sign(c Checkpoint, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: c.Body()}, s)
}

// ErrSignature marks a checkpoint whose signature does not verify with any trusted key.
var ErrSignature = errors.New("checkpoint signature does not verify with a trusted key")

// Open verifies a signed checkpoint with the trusted keys and parses it. A note that parses but
// carries no valid signature of a trusted key wraps ErrSignature.
func Open(signed []byte, trusted note.Verifiers) (Checkpoint, error) {
	n, err := note.Open(signed, trusted)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, fmt.Errorf("%w: %w", ErrSignature, err)
		}
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	return ParseBody(n.Text)
}

// OpenUnverified parses a signed checkpoint without checking its signature (to report what a
// checkpoint with a bad signature claims).
func OpenUnverified(signed []byte) (Checkpoint, error) {
	text, _, ok := strings.Cut(string(signed), "\n\n")
	if !ok {
		return Checkpoint{}, errors.New("checkpoint: no blank line before the signatures")
	}
	return ParseBody(text + "\n")
}
