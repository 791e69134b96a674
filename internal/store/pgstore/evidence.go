package pgstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// The tree of each stream is the object stores' (evidence: leaf i is the row with seq i+1, its leaf
// hash from the row's hash). The writer keeps each stream's frontier in memory and signs checkpoints
// of it into agentaudit.checkpoints and every witness; a checkpoint row also keeps the frontier, so a
// restarted writer reads only the rows after its stream's newest checkpoint.

// SetCheckpoints makes the store sign checkpoints of its streams' trees with signer, as o says
// (nil o or signer: none). Call it before Start.
func (s *Store) SetCheckpoints(signer *objectstore.Signer, o *objectstore.CheckpointOptions) {
	if signer == nil || o == nil {
		return
	}
	s.signer, s.ckpt = signer, o
	s.trees = map[string]*objectstore.StreamTree{}
}

func (s *Store) checkpointsOn() bool { return s.ckpt != nil }

// origin names the store in checkpoint origins: the configured one, else database host and name.
func (s *Store) origin() string {
	if s.ckpt.Origin != "" {
		return s.ckpt.Origin
	}
	if s.pool == nil {
		return "postgres"
	}
	cc := s.pool.Config().ConnConfig
	return fmt.Sprintf("%s/%s", cc.Host, cc.Database)
}

// publishKey stores the signing public key (once per fingerprint).
func (s *Store) publishKey(ctx context.Context) error {
	if s.signer == nil {
		return nil
	}
	pemBytes, err := s.signer.PublicKeyPEM()
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO agentaudit.public_keys (fingerprint, pem) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING`,
		s.signer.Fingerprint(), string(pemBytes))
	if err != nil {
		return fmt.Errorf("publish public key: %w", err)
	}
	return nil
}

// extendTree adds the hashes of the rows just committed (seqs first..) to the stream's tree and
// writes a checkpoint when one is due. Caller holds s.mu. Nothing here fails the write: the rows
// are committed, and a tree that cannot be kept only means no checkpoints for the stream (logged).
func (s *Store) extendTree(ctx context.Context, stream string, first uint64, hashes []string) {
	if !s.checkpointsOn() {
		return
	}
	t := s.trees[stream]
	if t == nil || !t.Extend(first, hashes) {
		t = s.loadTree(ctx, stream)
		s.trees[stream] = t
	}
	s.checkpointIfDue(ctx, stream, t, false)
}

// loadTree rebuilds the stream's tree: from its newest checkpoint's frontier (or a retention cut
// past it) and the rows after it, or from all its rows.
func (s *Store) loadTree(ctx context.Context, stream string) *objectstore.StreamTree {
	t := &objectstore.StreamTree{}
	t.CheckpointedAt(0, s.now())
	var size int64
	var frontier []string
	err := s.pool.QueryRow(ctx, `SELECT tree_size, frontier FROM agentaudit.checkpoints WHERE stream = $1 ORDER BY tree_size DESC LIMIT 1`, stream).Scan(&size, &frontier)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		s.logger.Warn("could not read the stream's newest checkpoint; no checkpoints are written for it", zap.String("stream", stream), zap.Error(err))
		return t
	}
	var start evidence.Frontier
	if err == nil {
		if start, err = evidence.DecodeFrontier(uint64(size), frontier); err != nil {
			s.logger.Warn("the stream's newest checkpoint has a malformed frontier; rebuilding from the rows", zap.String("stream", stream))
			start = evidence.Frontier{}
		}
		t.CheckpointedAt(uint64(size), s.now())
	}
	if cut := s.ownCut(ctx, stream); cut != nil && cut.Frontier.Size > start.Size {
		start = cut.Frontier // retention cut past the newest checkpoint: its rows are gone
	}
	t.Tree, err = objectstore.RebuildTree(start, func(from uint64, fn func(string) error) error {
		return s.readStream(ctx, stream, from, true, func(r evidence.StoredRecord) error { return fn(r.Hash) })
	})
	if err != nil {
		s.logger.Warn("stream's Merkle tree cannot be rebuilt from its rows; no checkpoints are written for it", zap.String("stream", stream), zap.Error(err))
		return t
	}
	t.TreeOK = true
	return t
}

// ownCut is the stream's retention cut when its marker is sound and signed with the writer's key.
func (s *Store) ownCut(ctx context.Context, stream string) *evidence.Cut {
	cut, err := pgLedger{s}.RetentionCut(ctx, stream)
	if err != nil || cut == nil || cut.Err != nil || !cut.SignedBy([]ed25519.PublicKey{s.signer.PublicKey()}) {
		return nil
	}
	return cut
}

// checkpointIfDue signs and stores the stream's checkpoint when it is due (Checkpointer.IfDue).
func (s *Store) checkpointIfDue(ctx context.Context, stream string, t *objectstore.StreamTree, force bool) {
	c := objectstore.Checkpointer{
		Options: s.ckpt, Signer: s.signer, Origin: s.origin(),
		Layout: objectstore.Layout{Prefix: objectstore.DefaultPrefix}, Logger: s.logger, Now: s.now,
	}
	c.IfDue(ctx, stream, t, tableSink{s: s, tree: t}, force)
}

// tableSink stores checkpoints in agentaudit.checkpoints.
type tableSink struct {
	s    *Store
	tree *objectstore.StreamTree // its frontier is kept with the checkpoint, for a restarted writer
}

func (k tableSink) PutCheckpoint(ctx context.Context, stream string, size uint64, signed []byte) error {
	_, err := k.s.pool.Exec(ctx, `INSERT INTO agentaudit.checkpoints (stream, tree_size, checkpoint, frontier) VALUES ($1, $2, $3, $4) ON CONFLICT (stream, tree_size) DO NOTHING`,
		stream, int64(size), string(signed), k.tree.Tree.Encode())
	return err
}

func (k tableSink) String() string { return "agentaudit.checkpoints" }

// checkpointAll writes the checkpoints that are due (force: of every stream that grew).
func (s *Store) checkpointAll(ctx context.Context, force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for stream, t := range s.trees {
		s.checkpointIfDue(ctx, stream, t, force)
	}
}

func (s *Store) startCheckpoints() {
	if s.checkpointsOn() && s.ckpt.Interval > 0 && s.ticker == nil {
		s.ticker = evidence.StartTicker(s.ckpt.Interval, func(ctx context.Context) { s.checkpointAll(ctx, false) })
	}
}

// stopCheckpoints stops the ticker and checkpoints every stream that grew (before the pool closes).
func (s *Store) stopCheckpoints(ctx context.Context) {
	if !s.checkpointsOn() {
		return
	}
	s.ticker.Stop()
	s.ticker = nil
	if s.pool != nil {
		s.checkpointAll(ctx, true)
	}
}

// readStream calls fn for the stream's rows after seq from, in seq order; strict stops with
// evidence.ErrStreamGap at the first seq that is not the next one.
func (s *Store) readStream(ctx context.Context, stream string, from uint64, strict bool, fn func(evidence.StoredRecord) error) error {
	rows, err := s.pool.Query(ctx, `SELECT seq, hash, record::text FROM agentaudit.records WHERE stream = $1 AND seq > $2 ORDER BY seq`, stream, int64(from))
	if err != nil {
		return err
	}
	defer rows.Close()
	next := from + 1
	for rows.Next() {
		var seq int64
		var hash string
		var line []byte
		if err := rows.Scan(&seq, &hash, &line); err != nil {
			return err
		}
		if strict && uint64(seq) != next {
			return fmt.Errorf("stream %s: seq %d where %d was due: %w", stream, seq, next, evidence.ErrStreamGap)
		}
		if err := fn(evidence.StoredRecord{Seq: uint64(seq), Hash: hash, Line: line, Where: recordsTable}); err != nil {
			return err
		}
		next = uint64(seq) + 1
	}
	return rows.Err()
}
