package esstore

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
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
	var indices []struct {
		Index string `json:"index"`
	}
	path := "/_cat/indices/" + url.PathEscape(s.indexPattern()) + "?format=json&h=index&expand_wildcards=open,closed"
	if err := s.do(ctx, http.MethodGet, path, nil, &indices); err != nil {
		return nil, err
	}
	cutoff := now.Add(-s.retention)
	layout := periodLayout(s.cfg.Index.Period)
	var expired []string
	for _, ix := range indices {
		suffix, ok := strings.CutPrefix(ix.Index, s.cfg.Index.Prefix+"-")
		if !ok {
			continue
		}
		start, err := time.Parse(layout, suffix)
		if err != nil || start.Format(layout) != suffix {
			continue
		}
		if !periodEnd(s.cfg.Index.Period, start).After(cutoff) {
			expired = append(expired, ix.Index)
		}
	}
	sort.Strings(expired)
	for i := 0; i < len(expired); i += deleteChunk {
		chunk := expired[i:min(i+deleteChunk, len(expired))]
		if err := s.do(ctx, http.MethodDelete, "/"+strings.Join(chunk, ","), nil, nil); err != nil {
			return expired[:i], err
		}
	}
	return expired, nil
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
