package esstore

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Maintenance operations for auditctl: the query filters erasure selects the subject's documents
// with (erase.go) and retention on demand (delete whole indices).

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
	var traces []string
	for id := range q.TraceIDs {
		traces = append(traces, id)
	}
	sort.Strings(traces)
	// idFilter matches field = value, or, joined by trace (store.Query.TraceIDs), a record without
	// the field whose trace is one of traces.
	idFilter := func(field, value string) any {
		term := map[string]any{"term": map[string]any{field: value}}
		if len(traces) == 0 {
			return term
		}
		joined := map[string]any{"bool": map[string]any{
			"filter":   []any{map[string]any{"terms": map[string]any{"trace_id": traces}}},
			"must_not": []any{map[string]any{"exists": map[string]any{"field": field}}},
		}}
		return map[string]any{"bool": map[string]any{"should": []any{term, joined}, "minimum_should_match": 1}}
	}
	if q.SessionID != "" {
		filters = append(filters, idFilter("session_id", q.SessionID))
	}
	if q.UserID != "" {
		filters = append(filters, idFilter("user_id", q.UserID))
	}
	if q.SessionID == "" && q.UserID == "" && len(traces) > 0 {
		filters = append(filters, map[string]any{"terms": map[string]any{"trace_id": traces}})
	}
	if len(q.Types) > 0 {
		filters = append(filters, map[string]any{"terms": map[string]any{"type": q.Types}})
	}
	return filters
}

// ndjson is a request body sent as is (bulk requests), not encoded as JSON.
type ndjson []byte

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

// DeleteIndices writes the retention note of every stream the named indices hold (signed with
// signer; see expire.go), then deletes the indices and returns those deleted before any error.
func (s *Store) DeleteIndices(ctx context.Context, names []string, signer *objectstore.Signer) ([]string, error) {
	if err := s.noteRetention(ctx, names, signer, time.Now().UTC()); err != nil {
		return nil, err
	}
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
