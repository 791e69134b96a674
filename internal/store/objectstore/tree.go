package objectstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// StreamRecord is one stored line of a stream, in seq order, as ReadStream yields it.
type StreamRecord struct {
	Seq       uint64
	Hash      string // integrity.hash as stored (a tombstone keeps its record's)
	Line      []byte
	ObjectKey string
}

// Streams lists the streams that have manifests.
func Streams(ctx context.Context, b Backend, l Layout) ([]string, error) {
	keys, err := b.List(ctx, l.ManifestsRoot())
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		stream, _, ok := strings.Cut(strings.TrimPrefix(k, l.ManifestsRoot()), "/")
		if ok && !seen[stream] {
			seen[stream] = true
			out = append(out, stream)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ObjectManifests returns a stream's object manifests (not erasure manifests) in seq order, with their keys.
func ObjectManifests(ctx context.Context, b Backend, l Layout, stream string) ([]string, []Manifest, error) {
	keys, err := b.List(ctx, l.ManifestPrefix(stream))
	if err != nil {
		return nil, nil, err
	}
	var ks []string
	var ms []Manifest
	for _, k := range keys {
		if strings.Contains(k, ".erasure-") || !strings.HasSuffix(k, ".json") {
			continue
		}
		raw, err := b.Get(ctx, k)
		if err != nil {
			return nil, nil, fmt.Errorf("read manifest %s: %w", k, err)
		}
		m, err := DecodeManifest(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("decode manifest %s: %w", k, err)
		}
		ks, ms = append(ks, k), append(ms, m)
	}
	return ks, ms, nil
}

// ErrStreamGap is returned by ReadStream when the stored records do not run 1, 2, 3, … from the
// start (retention removed the oldest, or something is missing; `auditctl verify` says which).
var ErrStreamGap = evidence.ErrStreamGap

// ReadStream calls fn for every stored record of stream in seq order, following its manifests. It
// stops with ErrStreamGap (wrapped, naming the seq) at the first seq that is not the next one.
func ReadStream(ctx context.Context, b Backend, l Layout, stream string, fn func(StreamRecord) error) error {
	return readStream(ctx, b, l, stream, true, fn)
}

// ScanStream is ReadStream without the contiguity check: every stored record of the stream's
// manifests, in manifest order, whatever is missing around them.
func ScanStream(ctx context.Context, b Backend, l Layout, stream string, fn func(StreamRecord) error) error {
	return readStream(ctx, b, l, stream, false, fn)
}

func readStream(ctx context.Context, b Backend, l Layout, stream string, strict bool, fn func(StreamRecord) error) error {
	_, ms, err := ObjectManifests(ctx, b, l, stream)
	if err != nil {
		return err
	}
	next := uint64(1)
	for _, m := range ms {
		data, err := b.Get(ctx, m.ObjectKey)
		if !strict && errors.Is(err, ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read object %s: %w", m.ObjectKey, err)
		}
		lines, err := ObjectLines(m.ObjectKey, data)
		if err != nil {
			return err
		}
		for _, line := range lines {
			_, integ, err := LineHashInput(line)
			if !strict && (err != nil || integ == nil) {
				continue
			}
			if err != nil || integ == nil {
				return fmt.Errorf("%s: a line without integrity: %w", m.ObjectKey, ErrStreamGap)
			}
			if strict && integ.Seq != next {
				return fmt.Errorf("%s: seq %d where %d was due: %w", m.ObjectKey, integ.Seq, next, ErrStreamGap)
			}
			if err := fn(StreamRecord{Seq: integ.Seq, Hash: integ.Hash, Line: line, ObjectKey: m.ObjectKey}); err != nil {
				return err
			}
			next++
		}
	}
	return nil
}

// resumeTree returns the stream's tree frontier after its last manifest m. A manifest written
// before trees existed carries none: the frontier is then rebuilt once from the stored records, and
// where that is impossible (retention removed the oldest) the stream goes on without a tree.
func (s *Store) resumeTree(ctx context.Context, stream string, m *Manifest) (evidence.Frontier, bool) {
	if m == nil {
		return evidence.Frontier{}, true
	}
	if m.TreeSize == m.LastSeq && m.TreeSize > 0 {
		f, err := evidence.DecodeFrontier(m.TreeSize, m.TreeFrontier)
		if err == nil && evidence.Hex(f.Root()) == m.TreeRoot {
			return f, true
		}
		s.set.Logger.Warn("stream's last manifest has a malformed tree frontier; rebuilding it from the records", zap.String("stream", stream))
	}
	f, err := RebuildTree(evidence.Frontier{}, func(_ uint64, fn func(string) error) error {
		return ReadStream(ctx, s.backend, s.layout, stream, func(r StreamRecord) error { return fn(r.Hash) })
	})
	if err != nil || f.Size != m.LastSeq {
		s.set.Logger.Warn("stream's Merkle tree cannot be rebuilt from its records; its manifests carry no tree and no checkpoints are written for it",
			zap.String("stream", stream), zap.Error(err))
		return evidence.Frontier{}, false
	}
	return f, true
}
