package esstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// The tree of each stream is the other stores' (evidence: leaf i is the document with seq i+1, its
// leaf hash from its integrity.hash). The writer keeps each stream's frontier in memory and signs
// checkpoints of it into the store's evidence index ("<prefix>_evidence", outside the records'
// "<prefix>-*" template, so retention and erasure never touch it) and every witness; a checkpoint
// document also keeps the frontier, so a restarted writer reads only the documents after its
// stream's newest checkpoint. The evidence index also publishes the signing public key.

// SetCheckpoints makes the store sign checkpoints of its streams' trees with signer, as o says
// (nil o or signer: none). Call it before Start.
func (s *Store) SetCheckpoints(signer *objectstore.Signer, o *objectstore.CheckpointOptions) {
	if signer == nil || o == nil {
		return
	}
	s.signer, s.ckpt = signer, o
}

func (s *Store) checkpointsOn() bool { return s.ckpt != nil }

// evidenceIndex is where checkpoints and public keys are kept.
func (s *Store) evidenceIndex() string { return s.cfg.Index.Prefix + "_evidence" }

// origin names the store in checkpoint origins: the configured one, else first endpoint's host and
// the index prefix.
func (s *Store) origin() string {
	if s.ckpt.Origin != "" {
		return s.ckpt.Origin
	}
	host := s.cfg.Endpoints[0]
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		host = u.Host
	}
	return host + "/" + s.cfg.Index.Prefix
}

// ensureEvidence creates the evidence index (its few searched fields mapped, the rest kept in
// _source only) and publishes the public key, once.
func (s *Store) ensureEvidence(ctx context.Context) error {
	s.evidenceMu.Lock()
	defer s.evidenceMu.Unlock()
	if !s.evidenceIdx {
		keyword, long := map[string]any{"type": "keyword"}, map[string]any{"type": "long"}
		body := map[string]any{
			"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": s.cfg.Index.Replicas},
			"mappings": map[string]any{"dynamic": false, "properties": map[string]any{
				"kind": keyword, "stream": keyword, "tree_size": long, "fingerprint": keyword,
			}},
		}
		if err := s.do(ctx, http.MethodPut, "/"+url.PathEscape(s.evidenceIndex()), body, nil); err != nil && !alreadyExists(err) {
			return fmt.Errorf("create evidence index: %w", err)
		}
		s.evidenceIdx = true
	}
	if s.signer != nil && !s.keyPublished {
		pemBytes, err := s.signer.PublicKeyPEM()
		if err != nil {
			return err
		}
		doc := map[string]any{"kind": "key", "fingerprint": s.signer.Fingerprint(), "pem": string(pemBytes)}
		if err := s.createEvidence(ctx, "key-"+s.signer.Fingerprint(), doc); err != nil {
			return fmt.Errorf("publish public key: %w", err)
		}
		s.keyPublished = true
	}
	return nil
}

// alreadyExists: the engine refused to create an index that exists (another run created it).
func alreadyExists(err error) bool {
	var ee *engineError
	return errors.As(err, &ee) && ee.Status == http.StatusBadRequest && strings.Contains(ee.Body, "already_exists")
}

// createEvidence stores doc under id unless a document has that id already (a checkpoint is
// written once; a second one of the same size is the same statement).
func (s *Store) createEvidence(ctx context.Context, id string, doc map[string]any) error {
	err := s.do(ctx, http.MethodPut, "/"+url.PathEscape(s.evidenceIndex())+"/_create/"+url.PathEscape(id), doc, nil)
	var ee *engineError
	if errors.As(err, &ee) && ee.Status == http.StatusConflict {
		return nil
	}
	return err
}

// extendTree adds the hashes just stored (seqs first..) to the stream's tree and writes a
// checkpoint when one is due. Caller holds s.mu. Nothing here fails the write: the documents are
// stored, and a tree that cannot be kept only means no checkpoints for the stream (logged).
func (s *Store) extendTree(ctx context.Context, stream string, c *streamChain, first uint64, hashes []string) {
	if !s.checkpointsOn() || len(hashes) == 0 {
		return
	}
	if c.tree == nil || !c.tree.Extend(first, hashes) {
		c.tree = s.loadTree(ctx, stream)
	}
	s.checkpointIfDue(ctx, stream, c.tree, false)
}

// loadTree rebuilds the stream's tree: from its newest checkpoint's frontier and the documents
// after it, or from all its documents.
func (s *Store) loadTree(ctx context.Context, stream string) *objectstore.StreamTree {
	t := &objectstore.StreamTree{}
	t.CheckpointedAt(0, s.now())
	cps, err := s.checkpointDocs(ctx, stream, 1, "desc")
	if err != nil {
		s.logger.Warn("could not read the stream's newest checkpoint; no checkpoints are written for it", zap.String("stream", stream), zap.Error(err))
		return t
	}
	var start evidence.Frontier
	if len(cps) == 1 {
		if start, err = evidence.DecodeFrontier(cps[0].Size, cps[0].Frontier); err != nil {
			s.logger.Warn("the stream's newest checkpoint has a malformed frontier; rebuilding from the documents", zap.String("stream", stream))
			start = evidence.Frontier{}
		}
		t.CheckpointedAt(cps[0].Size, s.now())
	}
	t.Tree, err = objectstore.RebuildTree(start, func(from uint64, fn func(string) error) error {
		return s.readStream(ctx, stream, from, true, func(r evidence.StoredRecord) error { return fn(r.Hash) })
	})
	if err != nil {
		s.logger.Warn("stream's Merkle tree cannot be rebuilt from its documents; no checkpoints are written for it", zap.String("stream", stream), zap.Error(err))
		return t
	}
	t.TreeOK = true
	return t
}

// checkpointIfDue signs and stores the stream's checkpoint when it is due (Checkpointer.IfDue).
func (s *Store) checkpointIfDue(ctx context.Context, stream string, t *objectstore.StreamTree, force bool) {
	c := objectstore.Checkpointer{
		Options: s.ckpt, Signer: s.signer, Origin: s.origin(),
		Layout: objectstore.Layout{Prefix: objectstore.DefaultPrefix}, Logger: s.logger, Now: s.now,
	}
	c.IfDue(ctx, stream, t, indexSink{s: s, tree: t}, force)
}

// indexSink stores checkpoints in the evidence index.
type indexSink struct {
	s    *Store
	tree *objectstore.StreamTree // its frontier is kept with the checkpoint, for a restarted writer
}

func (k indexSink) PutCheckpoint(ctx context.Context, stream string, size uint64, signed []byte) error {
	if err := k.s.ensureEvidence(ctx); err != nil {
		return err
	}
	return k.s.createEvidence(ctx, fmt.Sprintf("checkpoint-%s-%d", stream, size), map[string]any{
		"kind": "checkpoint", "stream": stream, "tree_size": size, "checkpoint": string(signed), "frontier": k.tree.Tree.Encode(),
	})
}

func (k indexSink) String() string { return k.s.evidenceIndex() }

// checkpointAll writes the checkpoints that are due (force: of every stream that grew).
func (s *Store) checkpointAll(ctx context.Context, force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for stream, c := range s.chains {
		if c.tree != nil {
			s.checkpointIfDue(ctx, stream, c.tree, force)
		}
	}
}

func (s *Store) startCheckpoints() {
	if s.checkpointsOn() && s.ckpt.Interval > 0 && s.ticker == nil {
		s.ticker = evidence.StartTicker(s.ckpt.Interval, func(ctx context.Context) { s.checkpointAll(ctx, false) })
	}
}

// stopCheckpoints stops the ticker and checkpoints every stream that grew (before the client goes).
func (s *Store) stopCheckpoints(ctx context.Context) {
	if !s.checkpointsOn() {
		return
	}
	s.ticker.Stop()
	s.ticker = nil
	if s.engine != nil {
		s.checkpointAll(ctx, true)
	}
}
