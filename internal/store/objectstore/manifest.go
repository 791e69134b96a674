package objectstore

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// Manifest describes one closed data object and links to the manifest before it in the stream,
// like a CloudTrail digest file but per object.
type Manifest struct {
	ManifestVersion           int       `json:"manifest_version"`
	Kind                      string    `json:"kind,omitempty"` // "" for an object manifest, "erasure" for an erasure manifest
	Stream                    string    `json:"stream"`
	ObjectKey                 string    `json:"object_key"`
	ObjectSHA256              string    `json:"object_sha256"`
	ObjectBytes               int64     `json:"object_bytes"`
	RecordCount               int       `json:"record_count"`
	FirstSeq                  uint64    `json:"first_seq,omitempty"`
	LastSeq                   uint64    `json:"last_seq,omitempty"`
	FirstPrevHash             string    `json:"first_prev_hash,omitempty"`
	FirstHash                 string    `json:"first_hash,omitempty"`
	LastHash                  string    `json:"last_hash,omitempty"`
	PreviousManifestKey       string    `json:"previous_manifest_key,omitempty"`
	PreviousManifestSignature string    `json:"previous_manifest_signature,omitempty"`
	CreatedAt                 time.Time `json:"created_at"`
	// The stream's Merkle tree after this object's records (package evidence): its size (= last_seq),
	// root and frontier (what a writer resumes the tree from). Absent on streams without a tree.
	TreeSize     uint64   `json:"tree_size,omitempty"`
	TreeRoot     string   `json:"tree_root,omitempty"`
	TreeFrontier []string `json:"tree_frontier,omitempty"`
	// Erasure manifests only.
	ErasureID   string     `json:"erasure_id,omitempty"`
	ManifestKey string     `json:"manifest_key,omitempty"`
	ErasedSeqs  []uint64   `json:"erased_seqs,omitempty"`
	Requester   string     `json:"requester,omitempty"`
	ErasedAt    *time.Time `json:"erased_at,omitempty"`

	KeyFingerprint string `json:"key_fingerprint,omitempty"`
	Signature      string `json:"signature,omitempty"`
}

// ManifestKindErasure marks an erasure manifest.
const ManifestKindErasure = "erasure"

// ManifestKindRetention marks a retention marker: the signed statement, one per stream, of where
// retention cut the stream's chain. It is stored at Layout.RetentionMarkerKey, outside the stream's
// manifest folder (writers resume their chain from that folder), and records the last deleted
// manifest — its key, signature, last seq and last hash — so that a verifier can accept that the
// first kept manifest links to a manifest that is gone and that the seqs up to last_seq are missing
// on purpose. It also carries the last deleted manifest's tree_size, tree_root and tree_frontier:
// the verifier rebuilds the remaining stream's tree from that frontier (evidence.Cut), so the
// checkpoints still prove the kept records unaltered after the oldest are gone.
const ManifestKindRetention = "retention"

// SigningInput is the canonical encoding of m without its signature: what is signed.
func (m Manifest) SigningInput() ([]byte, error) {
	m.Signature = ""
	return auditrecord.Canonical(m)
}

// SignedBy reports whether m carries a valid signature by one of keys.
func (m Manifest) SignedBy(keys []ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil || m.Signature == "" {
		return false
	}
	in, err := m.SigningInput()
	if err != nil {
		return false
	}
	for _, k := range keys {
		if Fingerprint(k) == m.KeyFingerprint && ed25519.Verify(k, in, sig) {
			return true
		}
	}
	return false
}

// Encode returns the stored form of m.
func (m Manifest) Encode() ([]byte, error) { return auditrecord.Canonical(m) }

// DecodeManifest parses a stored manifest.
func DecodeManifest(b []byte) (Manifest, error) {
	var m Manifest
	err := json.Unmarshal(b, &m)
	return m, err
}

// Signer signs manifests with an Ed25519 key.
type Signer struct {
	key         ed25519.PrivateKey
	fingerprint string
}

// Fingerprint names a public key: the first 16 hex digits of SHA-256 over its 32 raw bytes.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:16]
}

// NewSigner wraps a private key.
func NewSigner(key ed25519.PrivateKey) *Signer {
	return &Signer{key: key, fingerprint: Fingerprint(key.Public().(ed25519.PublicKey))}
}

// LoadSigner reads a PEM "PRIVATE KEY" (PKCS#8 Ed25519) file, as written by `openssl genpkey -algorithm ed25519`.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the configured signing key file; reading it is the point
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block found")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8 key: %w", err)
	}
	ed, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want Ed25519", k)
	}
	return NewSigner(ed), nil
}

// Fingerprint of the signer's public key.
func (s *Signer) Fingerprint() string { return s.fingerprint }

// PublicKeyPEM is the public key as stored under _keys/.
func (s *Signer) PublicKeyPEM() ([]byte, error) {
	return EncodePublicKey(s.key.Public().(ed25519.PublicKey))
}

// Sign sets m's fingerprint and signature.
func (s *Signer) Sign(m *Manifest) error {
	m.KeyFingerprint = s.fingerprint
	in, err := m.SigningInput()
	if err != nil {
		return err
	}
	m.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, in))
	return nil
}

// SignCheckpoint signs a checkpoint as a C2SP signed note with the manifest key, named
// evidence.KeyName(fingerprint).
func (s *Signer) SignCheckpoint(c evidence.Checkpoint) ([]byte, error) {
	ns, err := evidence.NewSigner(s.key)
	if err != nil {
		return nil, err
	}
	return evidence.Sign(c, ns)
}

// SignBytes signs a canonical encoding (other signed markers, e.g. legal holds): base64 Ed25519.
func (s *Signer) SignBytes(in []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, in))
}

// PublicKey is the signer's public key.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// EncodePublicKey writes an Ed25519 public key as PEM "PUBLIC KEY".
func EncodePublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey reads a PEM "PUBLIC KEY" Ed25519 key.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block found")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	ed, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want Ed25519", k)
	}
	return ed, nil
}

// hashPlaceholder stands in for the hash while a record is encoded with its integrity field.
var hashPlaceholder = strings.Repeat("0", sha256.Size*2)

// AppendChained appends r's stored line (no newline) to dst, chained after prevHash at seq in
// stream, and returns the record's hash. r's Integrity must be nil and is nil again on return. The
// record is encoded once: the encoder reports where the integrity field (written with a placeholder
// hash) lies, the bytes around it are the hash input, and the hash then overwrites the placeholder.
func AppendChained(dst []byte, r *auditrecord.Record, stream string, seq uint64, prevHash string) ([]byte, string, error) {
	return new(chainer).appendChained(dst, r, stream, seq, prevHash)
}

// chainer holds what chaining a record needs besides the output, so that a writer chaining a batch
// (objectEncoder) reuses one integrity section and hash for all its records: chaining a record
// after the one it chained last (appendNext) makes no string of the hash in between.
type chainer struct {
	integ  auditrecord.Integrity
	sum    [sha256.Size]byte     // the last record's hash, raw (its Merkle leaf is hashed from these)
	digits [2 * sha256.Size]byte // the same hash in hex, as its line holds it
}

// appendChained chains r after prevHash and returns its hash.
func (c *chainer) appendChained(dst []byte, r *auditrecord.Record, stream string, seq uint64, prevHash string) ([]byte, string, error) {
	out, err := c.append(dst, r, stream, seq, prevHash, false)
	if err != nil {
		return dst, "", err
	}
	return out, string(c.digits[:]), nil
}

// appendNext chains r after the record c chained last; its hash is in c.digits (and c.sum) after.
func (c *chainer) appendNext(dst []byte, r *auditrecord.Record, stream string, seq uint64) ([]byte, error) {
	return c.append(dst, r, stream, seq, hashPlaceholder, true)
}

// prevHashKey separates the integrity field's hash from its prev_hash: the encoder writes
// Integrity's fields in order, so prev_hash's digits follow the hash's and this.
const prevHashKey = `","prev_hash":"`

// append encodes r once with placeholders in its integrity field (the encoder reports where that
// lies; the bytes around it are the hash input) and writes the hash over the placeholder. With
// prevIsLast, prev_hash is a placeholder too, overwritten with the last hash's digits, so the
// hash never becomes a string.
func (c *chainer) append(dst []byte, r *auditrecord.Record, stream string, seq uint64, prevHash string, prevIsLast bool) ([]byte, error) {
	c.integ = auditrecord.Integrity{Stream: stream, Seq: seq, PrevHash: prevHash, Hash: hashPlaceholder}
	r.Integrity = &c.integ
	defer func() { r.Integrity = nil }()
	from := len(dst)
	out, start, end, err := auditrecord.AppendRecordMarkingIntegrity(dst, r)
	if err != nil {
		return dst, err
	}
	const n = 2 * sha256.Size
	at := start + len(`"integrity":{"hash":"`)
	var prev []byte
	if prevIsLast {
		p := at + n + len(prevHashKey)
		if string(out[at+n:p]) != prevHashKey {
			return dst, errors.New("integrity field not laid out as hash, prev_hash")
		}
		copy(out[p:p+n], c.digits[:]) // over the placeholder
		prev = out[p : p+n]
	} else {
		var buf [n]byte // the digest takes []byte; a hash's 64 digits fit
		prev = append(buf[:0], prevHash...)
	}
	linkSum(&c.sum, prev, out[from:start], out[end:])
	hex.Encode(c.digits[:], c.sum[:])
	copy(out[at:at+n], c.digits[:])
	return out, nil
}

// LinkHash is the chain rule every writer and verifier shares: hex(SHA-256(prev_hash || content)),
// where content is the canonical record without its integrity field (given here in pieces).
func LinkHash(prevHash string, content ...[]byte) string {
	var prev [2 * sha256.Size]byte // the digest takes []byte; a hash's 64 digits fit
	var sum [sha256.Size]byte
	linkSum(&sum, append(prev[:0], prevHash...), content...)
	var digits [2 * sha256.Size]byte
	hex.Encode(digits[:], sum[:])
	return string(digits[:]) // the only allocation (hex.EncodeToString makes two)
}

// linkSum writes LinkHash's raw SHA-256 of prev and content into sum. Its digest is local and does
// not escape, so a call allocates nothing (a digest kept in a struct would live on the heap).
func linkSum(sum *[sha256.Size]byte, prev []byte, content ...[]byte) {
	d := sha256.New()
	d.Write(prev)
	for _, b := range content {
		d.Write(b)
	}
	d.Sum(sum[:0])
}

// ObjectDigest is the hex SHA-256 of a stored object, as manifests record it.
func ObjectDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
