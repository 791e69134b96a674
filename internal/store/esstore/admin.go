package esstore

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Maintenance operations for auditctl: the right to be forgotten (delete by query) and retention on
// demand (delete whole indices).

// queryFilters turns a store query into Elasticsearch/OpenSearch bool filters.
func queryFilters(q store.Query) []any {
	filters := []any{}
	if !q.From.IsZero() || !q.To.IsZero() {
		r := map[string]any{"format": "strict_date_optional_time_nanos"}
		if !q.From.IsZero() {
			r["gte"] = q.From.UTC().Format(time.RFC3339Nano)
		}
		if !q.To.IsZero() {
			r["lt"] = q.To.UTC().Format(time.RFC3339Nano)
		}
		filters = append(filters, map[string]any{"range": map[string]any{"timestamp": r}})
	}
	if q.SessionID != "" {
		filters = append(filters, map[string]any{"term": map[string]any{"session_id": q.SessionID}})
	}
	if q.UserID != "" {
		filters = append(filters, map[string]any{"term": map[string]any{"user_id": q.UserID}})
	}
	if len(q.Types) > 0 {
		filters = append(filters, map[string]any{"terms": map[string]any{"type": q.Types}})
	}
	return filters
}

// DeleteMatching deletes every record matching q (delete by query, refreshed so the deletion is
// visible when it returns) and returns how many it deleted; with dryRun it only counts them. An empty
// query is refused: it would delete everything.
func (s *Store) DeleteMatching(ctx context.Context, q store.Query, dryRun bool) (int64, error) {
	filters := queryFilters(q)
	if len(filters) == 0 {
		return 0, fmt.Errorf("refusing to delete with an empty query")
	}
	body := map[string]any{"query": map[string]any{"bool": map[string]any{"filter": filters}}}
	pattern := "/" + url.PathEscape(s.indexPattern())
	if dryRun {
		var out struct {
			Count int64 `json:"count"`
		}
		err := s.do(ctx, http.MethodPost, pattern+"/_count?ignore_unavailable=true&allow_no_indices=true", body, &out)
		return out.Count, err
	}
	var out struct {
		Deleted  int64 `json:"deleted"`
		Failures []any `json:"failures"`
	}
	if err := s.do(ctx, http.MethodPost, pattern+"/_delete_by_query?refresh=true&conflicts=proceed&ignore_unavailable=true&allow_no_indices=true", body, &out); err != nil {
		return out.Deleted, err
	}
	if len(out.Failures) > 0 {
		return out.Deleted, fmt.Errorf("delete by query: %d failures, e.g. %v", len(out.Failures), out.Failures[0])
	}
	return out.Deleted, nil
}

// ExpiredIndices lists this store's indices whose whole period ended at or before cutoff. Indices
// whose names do not parse as <prefix>-<period> are never listed.
func (s *Store) ExpiredIndices(ctx context.Context, cutoff time.Time) ([]string, error) {
	var indices []struct {
		Index string `json:"index"`
	}
	path := "/_cat/indices/" + url.PathEscape(s.indexPattern()) + "?format=json&h=index&expand_wildcards=open,closed"
	if err := s.do(ctx, http.MethodGet, path, nil, &indices); err != nil {
		return nil, err
	}
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
	return expired, nil
}

// DeleteIndices deletes the named indices and returns those deleted before any error.
func (s *Store) DeleteIndices(ctx context.Context, names []string) ([]string, error) {
	for i := 0; i < len(names); i += deleteChunk {
		chunk := names[i:min(i+deleteChunk, len(names))]
		if err := s.do(ctx, http.MethodDelete, "/"+strings.Join(chunk, ","), nil, nil); err != nil {
			return names[:i], err
		}
	}
	return names, nil
}

// Refresh makes every record indexed so far searchable (the engine otherwise does so about once a
// second), so a listing right after a write sees it.
func (s *Store) Refresh(ctx context.Context) error {
	return s.do(ctx, http.MethodPost, "/"+url.PathEscape(s.indexPattern())+"/_refresh?ignore_unavailable=true&allow_no_indices=true", nil, nil)
}
