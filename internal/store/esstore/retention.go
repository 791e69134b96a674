package esstore

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// deleteChunk bounds how many index names go into one DELETE, to keep the URL short.
const deleteChunk = 50

// ApplyRetention deletes this store's indices whose whole period ended before now minus the
// retention, and returns their names. Indices whose names do not parse as <prefix>-<period> are
// never touched. It works on every engine: no ILM or ISM needed.
func (s *Store) ApplyRetention(ctx context.Context, now time.Time) ([]string, error) {
	if s.retention <= 0 {
		return nil, nil
	}
	expired, err := s.ExpiredIndices(ctx, now.Add(-s.retention))
	if err != nil {
		return nil, err
	}
	return s.DeleteIndices(ctx, expired)
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
