package esstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// scanPageSize is how many hits one search page fetches.
const scanPageSize = 1000

// Scan calls fn for every record matching q, in (timestamp, record_id) order. It pages with
// search_after on that unique sort key, which needs neither a point in time nor a scroll and so
// works alike on Elasticsearch and OpenSearch; records indexed during a scan may or may not appear.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*auditrecord.Record) error) error {
	if s.engine == nil {
		return errors.New("elasticsearch store: Scan before Start")
	}
	filters := queryFilters(q)
	path := "/" + url.PathEscape(s.indexPattern()) + "/_search?ignore_unavailable=true&allow_no_indices=true"
	var after []any
	for {
		body := map[string]any{
			"size":             scanPageSize,
			"query":            map[string]any{"bool": map[string]any{"filter": filters}},
			"sort":             []any{map[string]any{"timestamp": "asc"}, map[string]any{"record_id": "asc"}},
			"track_total_hits": false,
			"_source":          map[string]any{"excludes": []string{"search"}},
		}
		if after != nil {
			body["search_after"] = after
		}
		var page struct {
			Hits struct {
				Hits []struct {
					Source json.RawMessage `json:"_source"`
					Sort   []any           `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := s.do(ctx, http.MethodPost, path, body, &page); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		hits := page.Hits.Hits
		for _, h := range hits {
			var r auditrecord.Record
			if err := json.Unmarshal(h.Source, &r); err != nil {
				return fmt.Errorf("decode record: %w", err)
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		if len(hits) < scanPageSize {
			return nil
		}
		after = hits[len(hits)-1].Sort
	}
}
