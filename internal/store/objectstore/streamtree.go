package objectstore

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// Every store's writer (this package's, PostgreSQL's, the search engine's) keeps a StreamTree per
// stream and hands it to a Checkpointer after each write: one place decides when a checkpoint is
// due, signs it and stores it in the store's own sink and every witness, so the stores differ only
// in where they keep checkpoints and how they read a stream back.

// StreamTree is one stream's Merkle tree as its writer keeps it, with the last checkpoint of it that
// reached the store and every witness.
type StreamTree struct {
	// Tree is the frontier after the stream's last stored record; TreeOK is false for a stream whose
	// tree could not be built (no checkpoints are written for it).
	Tree     evidence.Frontier
	TreeOK   bool
	ckptSize uint64
	ckptAt   time.Time
}

// CheckpointedAt records the stream's newest stored checkpoint (size) as of at, so a restarted
// writer does not sign one again for records already covered.
func (t *StreamTree) CheckpointedAt(size uint64, at time.Time) { t.ckptSize, t.ckptAt = size, at }

// Extend appends the leaves of the records just stored (hashes, seqs first..). It reports false when
// the tree does not end where they begin (another writer's records, or a reset): rebuild it then.
// A hash that is no leaf leaves the tree not OK.
func (t *StreamTree) Extend(first uint64, hashes []string) bool {
	if !t.TreeOK {
		return true
	}
	if t.Tree.Size != first-1 {
		return false
	}
	for _, h := range hashes {
		leaf, err := evidence.LeafHash(h)
		if err != nil {
			t.TreeOK = false
			return true
		}
		t.Tree.Append(leaf)
	}
	return true
}

// RecordsAfter calls fn with the hash of each of a stream's records after seq from, in seq order,
// and fails (evidence.ErrStreamGap) where a seq is missing.
type RecordsAfter func(from uint64, fn func(hash string) error) error

// RebuildTree continues start (a checkpoint's or retention cut's frontier, or the empty tree) with
// the leaves of the records read after it.
func RebuildTree(start evidence.Frontier, read RecordsAfter) (evidence.Frontier, error) {
	t := start
	err := read(t.Size, func(hash string) error {
		leaf, err := evidence.LeafHash(hash)
		if err != nil {
			return err
		}
		t.Append(leaf)
		return nil
	})
	return t, err
}

// Checkpointer signs and stores the checkpoints of a store's stream trees.
type Checkpointer struct {
	Options *CheckpointOptions
	Signer  *Signer
	// Origin names the store in checkpoint origins when Options.Origin is empty.
	Origin string
	// Layout is where witnesses keep checkpoints.
	Layout Layout
	Logger *zap.Logger
	Now    func() time.Time
}

// IfDue writes the stream's checkpoint into own and every witness when the policy says so (force:
// whenever it grew). A failure is logged and retried at the next occasion, never returned: the
// records are stored already, and failing the write would only make the pipeline store them twice.
// The caller serialises calls for one stream.
func (c *Checkpointer) IfDue(ctx context.Context, stream string, t *StreamTree, own evidence.Sink, force bool) {
	now := c.Now()
	if !t.TreeOK || t.Tree.Size <= t.ckptSize || !c.Options.Policy().Due(t.Tree.Size-t.ckptSize, now.Sub(t.ckptAt), force) {
		return
	}
	origin := c.Options.Origin
	if origin == "" {
		origin = c.Origin
	}
	cp := evidence.Checkpoint{Origin: evidence.Origin(origin, stream), Size: t.Tree.Size, Root: t.Tree.Root()}
	signed, err := c.Signer.SignCheckpoint(cp)
	if err != nil {
		c.Logger.Warn("could not sign checkpoint", zap.String("stream", stream), zap.Error(err))
		return
	}
	ok := true
	for _, sink := range append([]evidence.Sink{own}, c.Options.WitnessSinks(c.Layout)...) {
		if err := sink.PutCheckpoint(ctx, stream, cp.Size, signed); err != nil {
			ok = false
			c.Logger.Warn("could not store checkpoint; retrying with the next one", zap.String("stream", stream),
				zap.String("sink", sink.String()), zap.Uint64("tree_size", cp.Size), zap.Error(err))
		}
	}
	if ok {
		t.CheckpointedAt(cp.Size, now)
	}
}
