package esstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
)

// auditctl's markers on the search engine: legal holds and the retention floor of package
// evidence/hold (canonical JSON, signed with the collector's key) as documents of the evidence index,
// which neither retention nor erasure touches. Hold markers are append-only as on PostgreSQL: each is
// created under an id of its content, and a release is a further marker of the hold, honoured only
// when validly signed (hold.Active). The floor is one document, replaced by a newer one, as the
// object stores keep it.

var (
	_ hold.Markers       = (*Store)(nil)
	_ hold.PolicyMarkers = (*Store)(nil)
)

// markerDoc is a marker as the evidence index holds it.
type markerDoc struct {
	Kind   string `json:"kind"`
	HoldID string `json:"hold_id,omitempty"`
	Marker string `json:"marker"`
}

const policyDocID = "policy-retention"

func (s *Store) markerWhere(id string) string { return s.evidenceIndex() + "/" + id }

// PutHoldMarker stores a marker of hold id (once: the same marker again is the same statement).
func (s *Store) PutHoldMarker(ctx context.Context, id string, raw []byte) error {
	if err := s.ensureEvidence(ctx); err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	docID := "hold-" + id + "-" + hex.EncodeToString(sum[:8])
	if err := s.createEvidence(ctx, docID, map[string]any{"kind": hold.Kind, "hold_id": id, "marker": string(raw)}); err != nil {
		return fmt.Errorf("store hold marker in %s: %w", s.evidenceIndex(), err)
	}
	return s.do(ctx, http.MethodPost, "/"+url.PathEscape(s.evidenceIndex())+"/_refresh", nil, nil)
}

// HoldMarkers returns every hold marker.
func (s *Store) HoldMarkers(ctx context.Context) ([]hold.Marker, error) {
	if err := s.refreshAll(ctx); err != nil {
		return nil, err
	}
	var out []hold.Marker
	err := s.evidenceOfKind(ctx, hold.Kind, func(id string, source json.RawMessage) error {
		var m markerDoc
		if err := json.Unmarshal(source, &m); err != nil {
			return err
		}
		out = append(out, hold.Marker{Where: s.markerWhere(id), Raw: []byte(m.Marker)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read hold markers: %w", err)
	}
	return out, nil
}

// PutPolicyMarker stores the retention floor, replacing the previous one.
func (s *Store) PutPolicyMarker(ctx context.Context, raw []byte) error {
	if err := s.ensureEvidence(ctx); err != nil {
		return err
	}
	path := "/" + url.PathEscape(s.evidenceIndex()) + "/_doc/" + policyDocID + "?refresh=true"
	return s.do(ctx, http.MethodPut, path, markerDoc{Kind: hold.PolicyKind, Marker: string(raw)}, nil)
}

// PolicyMarker is the stored retention floor.
func (s *Store) PolicyMarker(ctx context.Context) (hold.Marker, bool, error) {
	var out struct {
		Found  bool      `json:"found"`
		Source markerDoc `json:"_source"`
	}
	err := s.do(ctx, http.MethodGet, "/"+url.PathEscape(s.evidenceIndex())+"/_doc/"+policyDocID, nil, &out)
	var ee *engineError
	if errors.As(err, &ee) && ee.Status == http.StatusNotFound {
		return hold.Marker{}, false, nil // no such document, or no evidence index yet
	}
	if err != nil || !out.Found {
		return hold.Marker{}, false, err
	}
	return hold.Marker{Where: s.markerWhere(policyDocID), Raw: []byte(out.Source.Marker)}, true, nil
}

// IndexHeld returns the id of a legal hold covering a record of the index ("" for none). Holds
// select by session, user and time, so only those fields are read.
func (s *Store) IndexHeld(ctx context.Context, index string, held func(*auditrecord.Record) string) (string, error) {
	if held == nil {
		return "", nil
	}
	var after []any
	for {
		body := map[string]any{
			"size": scanPageSize, "track_total_hits": false,
			"_source": []string{"session_id", "user_id", "timestamp", "trace_id"},
			"sort":    []any{map[string]any{"integrity.stream": "asc"}, map[string]any{"integrity.seq": "asc"}, map[string]any{"record_id": "asc"}},
		}
		if after != nil {
			body["search_after"] = after
		}
		var page struct {
			Hits struct {
				Hits []struct {
					Source auditrecord.Record `json:"_source"`
					Sort   []any              `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := s.do(ctx, http.MethodPost, "/"+url.PathEscape(index)+"/_search", body, &page); err != nil {
			return "", fmt.Errorf("read %s for legal holds: %w", index, err)
		}
		for i := range page.Hits.Hits {
			if id := held(&page.Hits.Hits[i].Source); id != "" {
				return id, nil
			}
		}
		if len(page.Hits.Hits) < scanPageSize {
			return "", nil
		}
		after = page.Hits.Hits[len(page.Hits.Hits)-1].Sort
	}
}
