package esstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Write chains the batch onto its stream and indexes it. It returns nil only when every record is
// indexed, was already indexed (409 on create), or is durably in the dead-letter store; otherwise
// it returns an error, keeps the stream's assignment and resends it first on the next Write (the
// caller's retry of the batch finds its records pending and adds nothing twice).
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	if s.engine == nil {
		return errors.New("elasticsearch store: Write before Start")
	}
	if err := s.ensureTemplate(ctx); err != nil {
		return err
	}
	stream := objectstore.StreamName(s.instanceID, b.Signal)
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.chain(ctx, stream)
	if err != nil {
		return err
	}
	t := &tally{rejected: s.assign(c, stream, b.Signal, b.Records)}
	flushErr := s.flush(ctx, c, stream, b.Signal, t)
	// Rejections are final whatever happens to the rest; keep them now.
	if err := s.dead.Write(t.rejected); err != nil {
		s.count(ctx, t.indexed, t.already, 0)
		return errors.Join(flushErr, err)
	}
	if len(t.rejected) > 0 {
		// The engine's reason can quote field values, so only the count goes to the log.
		s.logger.Warn("Documents rejected by the engine were written to the dead-letter store",
			zap.Int("count", len(t.rejected)), zap.String("directory", s.cfg.DeadLetter.Directory))
	}
	s.count(ctx, t.indexed, t.already, int64(len(t.rejected)))
	if flushErr != nil {
		return flushErr
	}
	first, hashes := c.commit()
	s.extendTree(ctx, stream, c, first, hashes)
	return nil
}

// tally is what one Write did.
type tally struct {
	indexed, already int64
	rejected         []DeadLetter
	lastRetryable    itemOutcome
}

// flush sends the stream's assignment until the engine holds all of it, retrying 429/5xx items
// with backoff up to the configured attempts; rejected and already-stored documents leave the
// assignment (rechain) and the rest is sent again at once.
func (s *Store) flush(ctx context.Context, c *streamChain, stream, signal string, t *tally) error {
	for tries := 1; ; {
		todo := make([]*pendingDoc, 0, len(c.pending))
		for _, d := range c.pending {
			if !d.done {
				todo = append(todo, d)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		docs := make([]bulkDoc, len(todo))
		for i, d := range todo {
			docs[i] = bulkDoc{Index: d.index, ID: d.rec.RecordID, Body: d.body, Overwrite: d.overwrite}
		}
		outcomes := make([]itemOutcome, len(todo))
		if err := s.engine.bulkCreate(ctx, docs, outcomes); err != nil {
			s.keepAnswered(todo, outcomes, t)
			return fmt.Errorf("bulk request: %w", err)
		}
		drop, retry, err := s.settle(ctx, todo, outcomes, signal, t)
		if err != nil {
			return err
		}
		if len(drop) > 0 {
			pos := make(map[int]bool, len(drop))
			for i, d := range c.pending {
				if drop[d] {
					pos[i] = true
				}
			}
			if err := s.rechain(c, stream, pos); err != nil {
				return err
			}
		}
		if retry == 0 {
			continue
		}
		if tries >= s.cfg.Retry.MaxAttempts {
			return fmt.Errorf("%d of %d documents not stored after %d attempts (last: %s)",
				retry, len(c.pending), tries, describeRetryable(t.lastRetryable))
		}
		s.stats.RetriedItems.Add(int64(retry))
		s.metrics.ItemsRetried(ctx, int64(retry))
		if err := sleepContext(ctx, s.backoff(tries)); err != nil {
			return err
		}
		tries++
	}
}

// settle applies the engine's answers to the documents sent: stored ones are done, rejected ones
// become dead letters and already-stored ones are counted; both of those are returned to drop.
// A 409 for a document this writer may have stored itself (an earlier attempt got no answer) is
// told apart by the stored hash.
func (s *Store) settle(ctx context.Context, todo []*pendingDoc, outcomes []itemOutcome, signal string, t *tally) (map[*pendingDoc]bool, int, error) {
	drop := map[*pendingDoc]bool{}
	var retry int
	var ask []*pendingDoc
	for i, o := range outcomes {
		d := todo[i]
		switch classify(o) {
		case outcomeStored:
			s.markDone(d, t)
		case outcomeAlreadyStored:
			if len(d.sent) == 0 {
				drop[d] = true
				t.already++
			} else {
				ask = append(ask, d)
			}
		case outcomeRetryable:
			if o.Err != nil || o.Status >= http.StatusInternalServerError {
				d.sent = append(d.sent, d.hash) // it may have been applied
			}
			retry++
			t.lastRetryable = o
		case outcomeRejected:
			drop[d] = true
			t.rejected = append(t.rejected, newDeadLetter(signal, d.index, d.rec, o))
		}
	}
	if len(ask) == 0 {
		return drop, retry, nil
	}
	stored, err := s.storedHashes(ctx, ask)
	if err != nil {
		return nil, 0, fmt.Errorf("read back documents answered 409: %w", err)
	}
	for i, d := range ask {
		switch {
		case stored[i] == d.hash:
			s.markDone(d, t)
		case slices.Contains(d.sent, stored[i]):
			d.overwrite = true // an older version of ours: replace it
			retry++
		default:
			drop[d] = true
			t.already++
		}
	}
	return drop, retry, nil
}

// keepAnswered settles a failed bulk request (the exporter's timeout ended it, a connection broke):
// the documents the engine answered as stored before it ended are done, so the next Write resends
// only the rest. Without this a batch whose requests together outlast the timeout (thousands of
// documents on a loaded engine) is sent whole again on every retry and never gets through. Every
// other document may or may not have been applied, so its hash counts as sent: the retry's 409 is
// then told apart by the stored hash.
func (s *Store) keepAnswered(todo []*pendingDoc, outcomes []itemOutcome, t *tally) {
	for i, d := range todo {
		if classify(outcomes[i]) == outcomeStored {
			s.markDone(d, t)
		} else {
			d.sent = append(d.sent, d.hash)
		}
	}
}

func (s *Store) markDone(d *pendingDoc, t *tally) {
	d.done = true
	d.sent = append(d.sent, d.hash)
	if !d.counted {
		d.counted = true
		t.indexed++
	}
}
