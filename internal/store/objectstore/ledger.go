package objectstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// Ledger is the store as the evidence layer reads it: streams from the manifests, records from the
// objects, tree claims from the manifests, checkpoints and keys from their prefixes.
func (s *Store) Ledger() evidence.Ledger { return BackendLedger(s.backend, s.layout) }

// BackendLedger is the object layout l on b as a Ledger.
func BackendLedger(b Backend, l Layout) evidence.Ledger {
	return &objectLedger{backendSource: BackendSource{SourceName: "store", Backend: b, Layout: l}}
}

// BackendSource reads the checkpoints a Backend holds under Layout (a store, or a witness directory
// or bucket).
type BackendSource struct {
	SourceName string
	Backend    Backend
	Layout     Layout
}

var _ evidence.CheckpointSource = BackendSource{}

func (b BackendSource) Name() string { return b.SourceName }

func (b BackendSource) CheckpointStreams(ctx context.Context) ([]string, error) {
	root := b.Layout.CheckpointsRoot()
	keys, err := b.Backend.List(ctx, root)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		if stream, _, ok := strings.Cut(strings.TrimPrefix(k, root), "/"); ok && !seen[stream] {
			seen[stream] = true
			out = append(out, stream)
		}
	}
	return out, nil
}

func (b BackendSource) Checkpoints(ctx context.Context, stream string) ([]evidence.StoredCheckpoint, error) {
	keys, err := b.Backend.List(ctx, b.Layout.CheckpointPrefix(stream))
	if err != nil {
		return nil, err
	}
	out := make([]evidence.StoredCheckpoint, 0, len(keys))
	for _, k := range keys {
		raw, err := b.Backend.Get(ctx, k)
		if errors.Is(err, ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		size, _ := CheckpointSize(k)
		out = append(out, evidence.StoredCheckpoint{Size: size, Where: k, Signed: raw})
	}
	return out, nil
}

type objectLedger struct{ backendSource BackendSource }

func (l *objectLedger) Name() string { return l.backendSource.Name() }

func (l *objectLedger) CheckpointStreams(ctx context.Context) ([]string, error) {
	return l.backendSource.CheckpointStreams(ctx)
}

func (l *objectLedger) Checkpoints(ctx context.Context, stream string) ([]evidence.StoredCheckpoint, error) {
	return l.backendSource.Checkpoints(ctx, stream)
}

func (l *objectLedger) Streams(ctx context.Context) ([]string, error) {
	return Streams(ctx, l.backendSource.Backend, l.backendSource.Layout)
}

func (l *objectLedger) Head(ctx context.Context, stream string) (uint64, error) {
	_, ms, err := ObjectManifests(ctx, l.backendSource.Backend, l.backendSource.Layout, stream)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].LastSeq, nil
}

func (l *objectLedger) ReadStream(ctx context.Context, stream string, strict bool, fn func(evidence.StoredRecord) error) error {
	return readStream(ctx, l.backendSource.Backend, l.backendSource.Layout, stream, strict, func(r StreamRecord) error {
		return fn(evidence.StoredRecord{Seq: r.Seq, Hash: r.Hash, Line: r.Line, Where: r.ObjectKey})
	})
}

func (l *objectLedger) TreeClaims(ctx context.Context, stream string) ([]evidence.TreeClaim, error) {
	keys, ms, err := ObjectManifests(ctx, l.backendSource.Backend, l.backendSource.Layout, stream)
	if err != nil {
		return nil, err
	}
	var out []evidence.TreeClaim
	for i, m := range ms {
		if m.TreeSize == 0 && m.TreeRoot == "" {
			continue // written before trees
		}
		out = append(out, evidence.TreeClaim{FirstSeq: m.FirstSeq, LastSeq: m.LastSeq, Size: m.TreeSize, Root: m.TreeRoot, Where: keys[i]})
	}
	return out, nil
}

var _ evidence.CutLedger = (*objectLedger)(nil)

// RetentionCut reads the stream's retention marker.
func (l *objectLedger) RetentionCut(ctx context.Context, stream string) (*evidence.Cut, error) {
	key := l.backendSource.Layout.RetentionMarkerKey(stream)
	raw, err := l.backendSource.Backend.Get(ctx, key)
	if errors.Is(err, ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return MarkerCut(key, raw), nil
}

// MarkerCut is the retention cut a stored retention marker (raw, found at where) states: nil when
// it carries no tree (written before markers did), a Cut with Err when it is malformed or its
// frontier does not hash to its root. Every store that keeps retention markers reads them so.
func MarkerCut(where string, raw []byte) *evidence.Cut {
	m, err := DecodeManifest(raw)
	if err != nil {
		return &evidence.Cut{Where: where, Err: fmt.Errorf("retention marker: %w", err), SignedBy: func([]ed25519.PublicKey) bool { return false }}
	}
	if m.TreeSize == 0 && m.TreeRoot == "" {
		return nil // written before markers carried the tree
	}
	cut := &evidence.Cut{Root: m.TreeRoot, Where: where, SignedBy: m.SignedBy}
	if m.TreeSize != m.LastSeq {
		cut.Err = fmt.Errorf("retention marker's tree_size %d is not its last_seq %d", m.TreeSize, m.LastSeq)
	} else if cut.Frontier, err = evidence.DecodeFrontier(m.TreeSize, m.TreeFrontier); err != nil {
		cut.Err = err
	} else if evidence.Hex(cut.Frontier.Root()) != m.TreeRoot {
		cut.Err = fmt.Errorf("retention marker's tree_frontier does not hash to its tree_root %s", m.TreeRoot)
	}
	return cut
}

func (l *objectLedger) PublicKeys(ctx context.Context) ([]evidence.PublishedKey, error) {
	b := l.backendSource.Backend
	files, err := b.List(ctx, l.backendSource.Layout.KeysPrefix())
	if err != nil {
		return nil, err
	}
	var out []evidence.PublishedKey
	for _, f := range files {
		raw, err := b.Get(ctx, f)
		if errors.Is(err, ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if k, err := ParsePublicKey(raw); err == nil {
			out = append(out, evidence.PublishedKey{Fingerprint: strings.TrimSuffix(path.Base(f), ".pub"), PEM: raw, Key: k})
		}
	}
	return out, nil
}
