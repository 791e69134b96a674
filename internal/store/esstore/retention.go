package esstore

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
)

// deleteChunk bounds how many index names go into one DELETE, to keep the URL short.
const deleteChunk = 50

// ApplyRetention deletes this store's indices whose whole period ended before now minus the
// retention, and returns their names. Indices whose names do not parse as <prefix>-<period> are
// never touched. As auditctl retention does, it keeps the first expired index holding a record
// under an active legal hold (hold markers in the evidence index; a release counts when signed
// with a key the index publishes) and every later one. It works on every engine: no ILM or ISM
// needed.
func (s *Store) ApplyRetention(ctx context.Context, now time.Time) ([]string, error) {
	if s.retention <= 0 {
		return nil, nil
	}
	expired, err := s.ExpiredIndices(ctx, now.Add(-s.retention))
	if err != nil || len(expired) == 0 {
		return nil, err
	}
	holds, err := s.activeHolds(ctx)
	if err != nil {
		return nil, fmt.Errorf("read legal holds (nothing deleted): %w", err)
	}
	for i, name := range expired {
		if len(holds) == 0 {
			break
		}
		id, err := s.IndexHeld(ctx, name, holds.Holding)
		if err != nil {
			return nil, err
		}
		if id != "" {
			s.logger.Info("Retention keeps an expired index and the later ones: legal hold", zap.String("index", name), zap.String("hold", id))
			expired = expired[:i]
			break
		}
	}
	return s.DeleteIndices(ctx, expired, s.signer)
}

// activeHolds are the legal holds not validly released.
func (s *Store) activeHolds(ctx context.Context) (hold.Set, error) {
	published, err := s.Ledger().PublicKeys(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]ed25519.PublicKey, len(published))
	for i, k := range published {
		keys[i] = k.Key
	}
	active, _, err := hold.Active(ctx, s, keys)
	if len(active) == 0 {
		return nil, err
	}
	return active, err
}

func (s *Store) retentionLoop() {
	defer close(s.retentionDone)
	ticker := time.NewTicker(s.cfg.RetentionCheckInterval)
	defer ticker.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		deleted, err := s.ApplyRetention(ctx, time.Now())
		cancel()
		if err != nil {
			s.logger.Warn("Retention run failed; will retry", zap.Error(err))
		} else if len(deleted) > 0 {
			s.logger.Info("Retention deleted expired indices", zap.Strings("indices", deleted), zap.String("retention", s.cfg.Retention))
		}
		select {
		case <-s.stopRetention:
			return
		case <-ticker.C:
		}
	}
}
