package evidence

import (
	"context"
	"crypto/ed25519"
	"errors"
)

// ErrStreamGap is returned by Ledger.ReadStream (strict) when the stored records do not run 1, 2,
// 3, … from the start: retention removed the oldest, or something is missing (`auditctl verify`
// says which). Such a stream's tree cannot be recomputed.
var ErrStreamGap = errors.New("stream records do not run contiguously from seq 1")

// StoredRecord is one stored record of a stream, in seq order.
type StoredRecord struct {
	Seq  uint64
	Hash string // integrity.hash as stored (a tombstone keeps its record's)
	Line []byte // the stored record (canonical JSON with its integrity)
	// Where names where it is stored, for messages (an object key, a table).
	Where string
}

// StoredCheckpoint is a signed checkpoint as a source holds it.
type StoredCheckpoint struct {
	Size   uint64 // the tree size its name or row claims
	Where  string // its key or row, for findings
	Signed []byte // the signed note
}

// TreeClaim is what a store wrote down about a stream's tree besides checkpoints: a manifest's
// tree_size and tree_root after its records (a store that keeps none has none).
type TreeClaim struct {
	FirstSeq, LastSeq uint64
	Size              uint64
	Root              string // hex
	Where             string
}

// CheckpointSource is a place that holds signed checkpoints: a store or a witness.
type CheckpointSource interface {
	// Name names the source in findings ("store", "witness file:///w").
	Name() string
	// CheckpointStreams lists the streams the source holds checkpoints of.
	CheckpointStreams(ctx context.Context) ([]string, error)
	// Checkpoints returns the stream's checkpoints, smallest first.
	Checkpoints(ctx context.Context, stream string) ([]StoredCheckpoint, error)
}

// Ledger is a store as the evidence layer reads it: each stream's records in seq order (the
// leaves of its tree), what it claims about their trees, its own checkpoints and the public keys it
// publishes. The object stores (manifests and objects) and PostgreSQL (rows) are Ledgers; the
// witness check and evidence bundles work on any of them.
type Ledger interface {
	CheckpointSource
	// Streams lists the streams that hold records, sorted.
	Streams(ctx context.Context) ([]string, error)
	// Head is the last seq the store says the stream was written up to (its last manifest or batch).
	Head(ctx context.Context, stream string) (uint64, error)
	// ReadStream calls fn for every stored record of stream in seq order. strict stops with
	// ErrStreamGap (wrapped) at the first seq that is not the next one from 1; otherwise every
	// stored record is given, whatever is missing around it.
	ReadStream(ctx context.Context, stream string, strict bool, fn func(StoredRecord) error) error
	// TreeClaims are the stream's recorded tree sizes and roots (nil for a store that keeps none).
	TreeClaims(ctx context.Context, stream string) ([]TreeClaim, error)
	// PublicKeys are the keys the store publishes (PEM, for bundles) and their parsed form.
	PublicKeys(ctx context.Context) ([]PublishedKey, error)
}

// PublishedKey is a public key a store publishes.
type PublishedKey struct {
	Fingerprint string
	PEM         []byte
	Key         ed25519.PublicKey
}

// Sink receives every checkpoint a writer signs: the store itself and each witness.
type Sink interface {
	PutCheckpoint(ctx context.Context, stream string, size uint64, signed []byte) error
	String() string
}

// Cut is where retention cut a stream's oldest records off, as its signed retention marker states
// it: the tree's frontier after the last removed record, from which a verifier rebuilds the tree of
// what remains (NewLogFrom) and checks it against the checkpoints signed before the cut.
type Cut struct {
	Frontier Frontier
	Root     string // hex, as the marker states it
	Where    string // the marker, for findings
	// Err: the marker names a tree frontier that does not parse.
	Err error
	// SignedBy reports whether the marker is signed by one of keys.
	SignedBy func(keys []ed25519.PublicKey) bool
}

// CutLedger is a Ledger whose streams may start after a retention cut.
type CutLedger interface {
	// RetentionCut is the stream's cut, nil when none was made or its marker carries no tree
	// (written before markers carried one).
	RetentionCut(ctx context.Context, stream string) (*Cut, error)
}
