package objectstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Options configures a Store.
type Options struct {
	Prefix string  // default DefaultPrefix
	Gzip   bool    // compress objects
	Signer *Signer // nil writes unsigned manifests
	// Checkpoints writes signed checkpoints of each stream's tree (needs Signer); nil: none.
	Checkpoints *CheckpointOptions
	// Now is the clock (tests pin it); default time.Now.
	Now func() time.Time
}

// Store writes and reads chained, manifested audit objects on a Backend.
type Store struct {
	backend Backend
	layout  Layout
	opts    Options
	set     store.Settings

	mu    sync.Mutex // serialises writes: a stream's chain has one head
	heads map[string]*chainHead
	// scratch and object, guarded by mu, let the next batch reuse this one's buffers: the JSONL
	// chunk and the stored object (every backend is done with an object's bytes when Put returns).
	scratch []byte
	object  []byte
	// objectPerRecord is the running mean of stored bytes per record, which sizes the next
	// object's buffer (objectBuffer); 0 before the first object.
	objectPerRecord float64
	// ticker writes the interval checkpoints (Start starts it).
	ticker *evidence.Ticker
}

// chainHead is the last committed position of a stream.
type chainHead struct {
	seq          uint64
	hash         string
	manifestKey  string
	manifestSig  string
	manifestSeen bool
	// StreamTree is the stream's Merkle frontier after seq; TreeOK is false for a stream whose tree
	// could not be resumed (its manifests then carry none).
	StreamTree
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Reader = (*Store)(nil)
)

// New returns a Store over backend.
// Objects returns s: the stores built on the object layout (file, and S3, which embeds it) answer
// it, so a caller can reach the layout without knowing which concrete store it holds.
func (s *Store) Objects() *Store { return s }

func New(backend Backend, opts Options, set store.Settings) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	opts.Prefix = strings.Trim(opts.Prefix, "/")
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if set.Logger == nil {
		set.Logger = zap.NewNop()
	}
	return &Store{backend: backend, layout: Layout{Prefix: opts.Prefix}, opts: opts, set: set, heads: map[string]*chainHead{}}
}

// Backend returns the store's backend.
func (s *Store) Backend() Backend { return s.backend }

// Layout returns the store's key layout.
func (s *Store) Layout() Layout { return s.layout }

// Start checks the backend answers and publishes the signing public key.
func (s *Store) Start(ctx context.Context) error {
	if _, err := s.backend.List(ctx, s.layout.KeysPrefix()); err != nil {
		return fmt.Errorf("store %s not reachable: %w", s.backend, err)
	}
	if s.opts.Signer == nil {
		return nil
	}
	s.startCheckpointTicker()
	key := s.layout.PublicKeyKey(s.opts.Signer.Fingerprint())
	if _, err := s.backend.Get(ctx, key); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotExist) {
		return fmt.Errorf("read %s: %w", key, err)
	}
	pemBytes, err := s.opts.Signer.PublicKeyPEM()
	if err != nil {
		return err
	}
	if err := s.backend.Put(ctx, key, pemBytes); err != nil {
		return fmt.Errorf("publish public key: %w", err)
	}
	return nil
}

// Shutdown writes the checkpoints of streams that grew since their last one; records need no
// flush: every Write is complete when it returns.
func (s *Store) Shutdown(ctx context.Context) error {
	s.stopCheckpoints(ctx)
	return nil
}

// maxKeptObjectBytes bounds the object buffer a Store keeps for its next batch: a batch of the
// default sizes (8,192 spans) compresses to about 2 MiB; a rare larger one must not stay resident.
const maxKeptObjectBytes = 8 << 20

// Until a Store has written an object, its buffer is sized from these guesses of the stored bytes
// per record (bench-pipeline's agentsim records: about 158 gzipped, 1,200 plain).
const (
	guessGzipBytesPerRecord  = 160
	guessPlainBytesPerRecord = 1216
)

// objectBuffer returns a buffer for an object of records records: the kept one when it holds the
// expected size, else one of the expected size and an eighth more. Growing from a small buffer by
// doubling allocated 12.4 MB for a 2.8 MB object and left a 5 MiB buffer live; the estimate makes
// one allocation about the object's size.
func (s *Store) objectBuffer(records int) []byte {
	if cap(s.object) >= s.objectWant(records, 1) {
		return s.object
	}
	s.object = nil // let the old one go before the new one is made
	return make([]byte, 0, s.objectWant(records, 9.0/8))
}

// objectWant is the buffer an object of records records is expected to fit in, times headroom.
func (s *Store) objectWant(records int, headroom float64) int {
	perRecord := s.objectPerRecord
	if perRecord == 0 {
		perRecord = guessPlainBytesPerRecord
		if s.opts.Gzip {
			perRecord = guessGzipBytesPerRecord
		}
	}
	return int(float64(records)*perRecord*headroom) + 4096
}

// keptObject is whether an object buffer is worth keeping for the next batch after an object of
// records records: not above maxKeptObjectBytes, nor half again what such a batch is expected to
// need, so a buffer that doubled past an estimate, or grew for a rare large batch, is let go.
func (s *Store) keptObject(data []byte, records int) bool {
	return cap(data) <= maxKeptObjectBytes && cap(data) <= s.objectWant(records, 3.0/2)
}

// noteObject folds an object's bytes per record into the running mean (weight 1/8).
func (s *Store) noteObject(data []byte, records int) {
	perRecord := float64(len(data)) / float64(records)
	if s.objectPerRecord == 0 {
		s.objectPerRecord = perRecord
		return
	}
	s.objectPerRecord += (perRecord - s.objectPerRecord) / 8
}

// Write chains the batch's records onto the stream of (instance, signal), stores them as one object
// and then its manifest. The chain head moves only when both are stored, so a retried batch takes the
// same sequence numbers again.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	stream := StreamName(s.set.InstanceID, b.Signal)
	s.mu.Lock()
	defer s.mu.Unlock()
	head, err := s.head(ctx, stream)
	if err != nil {
		return err
	}

	seq, prev := head.seq, head.hash
	// Lines are encoded into a reused buffer (Write holds s.mu) and compressed in chunks, so a
	// batch costs no per-record allocations and its uncompressed JSONL is never held whole.
	enc := newObjectEncoder(s.opts.Gzip, s.scratch, s.objectBuffer(len(b.Records)))
	defer func() {
		if enc.zw != nil { // an encoding error left the object unfinished
			_, _ = enc.finish()
		}
	}()
	firstPrev := prev
	var tree evidence.Frontier
	if head.TreeOK {
		tree = head.Tree.Clone()
		enc.tree = &tree
	}
	firstHash, prev, err := enc.appendChained(b.Records, stream, seq, prev)
	if err != nil {
		return err
	}
	seq += uint64(len(b.Records))
	if cap(enc.pending) <= 4*pendingFlushBytes { // one huge record must not pin its buffer
		s.scratch = enc.pending[:0]
	}
	data, err := enc.finish()
	if err != nil {
		return err
	}
	s.noteObject(data, len(b.Records))
	if s.keptObject(data, len(b.Records)) {
		defer func() { s.object = data[:0] }() // once Put is done with it
	}
	now := s.opts.Now().UTC()
	firstSeq := head.seq + 1
	objKey := s.layout.ObjectKey(now, stream, firstSeq, s.opts.Gzip)
	m := Manifest{
		ManifestVersion:           1,
		Stream:                    stream,
		ObjectKey:                 objKey,
		ObjectSHA256:              ObjectDigest(data),
		ObjectBytes:               int64(len(data)),
		RecordCount:               len(b.Records),
		FirstSeq:                  firstSeq,
		LastSeq:                   seq,
		FirstPrevHash:             firstPrev,
		FirstHash:                 firstHash,
		LastHash:                  prev,
		PreviousManifestKey:       head.manifestKey,
		PreviousManifestSignature: head.manifestSig,
		CreatedAt:                 now,
	}
	if head.TreeOK {
		m.TreeSize, m.TreeRoot, m.TreeFrontier = tree.Size, evidence.Hex(tree.Root()), tree.Encode()
	}
	if s.opts.Signer != nil {
		if err := s.opts.Signer.Sign(&m); err != nil {
			return err
		}
	}
	mBytes, err := m.Encode()
	if err != nil {
		return err
	}
	if err := s.backend.Put(ctx, objKey, data); err != nil {
		return fmt.Errorf("put object: %w", err)
	}
	manifestKey := s.layout.ManifestKey(stream, firstSeq)
	if err := s.backend.Put(ctx, manifestKey, mBytes); err != nil {
		// Without its manifest the object would look injected; the retry writes both again.
		if derr := s.backend.Delete(context.WithoutCancel(ctx), objKey); derr != nil {
			s.set.Logger.Warn("could not remove object whose manifest failed", zap.String("key", objKey), zap.Error(derr))
		}
		return fmt.Errorf("put manifest: %w", err)
	}
	head.seq, head.hash, head.manifestKey, head.manifestSig = seq, prev, manifestKey, m.Signature
	head.Tree = tree
	s.set.Metrics.BytesWritten(ctx, b.Signal, int64(len(data)+len(mBytes)))
	s.checkpointIfDue(ctx, stream, head, false)
	return nil
}

// appendChained chains records after (seq, prev) onto the object as JSONL lines and returns the
// first and last records' hashes.
func (e *objectEncoder) appendChained(records []*auditrecord.Record, stream string, seq uint64, prev string) (firstHash, lastHash string, err error) {
	for i, r := range records {
		seq++
		// Integrity is assigned on a copy so that a failed attempt leaves the caller's records as they were.
		rc := *r
		rc.Integrity = nil
		if i == 0 {
			e.pending, firstHash, err = e.chain.appendChained(e.pending, &rc, stream, seq, prev)
		} else { // after the record just chained: its hash needs no string
			e.pending, err = e.chain.appendNext(e.pending, &rc, stream, seq)
		}
		if err != nil {
			return "", "", fmt.Errorf("encode record: %w", err)
		}
		e.pending = append(e.pending, '\n')
		if e.tree != nil {
			e.tree.Append(evidence.LeafOf(e.chain.sum)) // hash's raw bytes: no hex to parse
		}
		if err := e.flushIfFull(); err != nil {
			return "", "", err
		}
	}
	switch len(records) {
	case 0:
		return "", prev, nil
	case 1:
		return firstHash, firstHash, nil
	}
	return firstHash, string(e.chain.digits[:]), nil
}

// head returns the stream's chain head, resuming from its last manifest the first time.
func (s *Store) head(ctx context.Context, stream string) (*chainHead, error) {
	if h, ok := s.heads[stream]; ok {
		return h, nil
	}
	keys, err := s.backend.List(ctx, s.layout.ManifestPrefix(stream))
	if err != nil {
		return nil, fmt.Errorf("list manifests of %s: %w", stream, err)
	}
	h := &chainHead{}
	var last *Manifest
	for i := len(keys) - 1; i >= 0; i-- {
		if strings.Contains(keys[i], ".erasure-") || !strings.HasSuffix(keys[i], ".json") {
			continue
		}
		b, err := s.backend.Get(ctx, keys[i])
		if err != nil {
			return nil, fmt.Errorf("read manifest %s: %w", keys[i], err)
		}
		m, err := DecodeManifest(b)
		if err != nil {
			return nil, fmt.Errorf("decode manifest %s: %w", keys[i], err)
		}
		h = &chainHead{seq: m.LastSeq, hash: m.LastHash, manifestKey: keys[i], manifestSig: m.Signature, manifestSeen: true}
		last = &m
		break
	}
	h.Tree, h.TreeOK = s.resumeTree(ctx, stream, last)
	if err := s.resumeCheckpoint(ctx, stream, h); err != nil {
		return nil, err
	}
	s.heads[stream] = h
	return h, nil
}

// DataObjects lists the data object keys whose hour partition may hold records at or after from
// (objects are partitioned by write time, which is never before a record's own time).
func (s *Store) DataObjects(ctx context.Context, from time.Time) ([]string, error) {
	keys, err := s.backend.List(ctx, s.layout.DataPrefix())
	if err != nil {
		return nil, err
	}
	out := keys[:0]
	for _, k := range keys {
		if !IsDataObject(k) {
			continue
		}
		if !from.IsZero() {
			if t, ok := PartitionTime(k); ok && t.Add(time.Hour).Before(from) {
				continue
			}
		}
		out = append(out, k)
	}
	return out, nil
}

// Scan calls fn for every stored record matching q, object by object in key order.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*auditrecord.Record) error) error {
	keys, err := s.DataObjects(ctx, q.From)
	if err != nil {
		return err
	}
	keep := linePrefilter(q)
	for _, k := range keys {
		data, err := s.backend.Get(ctx, k)
		if errors.Is(err, ErrNotExist) {
			continue // removed by retention while we listed
		}
		if err != nil {
			return err
		}
		recs, err := decodeRecords(k, data, keep)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if !q.Matches(r) {
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}
