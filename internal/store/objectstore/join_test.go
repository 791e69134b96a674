package objectstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// TestScanJoinsRecordsByTraceThroughThePrefilter: the per-session and per-user prefilter skips lines
// without the id, but a record joined by trace has none and must still be found.
func TestScanJoinsRecordsByTraceThroughThePrefilter(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s := newStore(t, t.TempDir(), nil, now)
	recs := records("s1", 6, now)
	traces := []string{"aaaa0000000000000000000000000001", "aaaa0000000000000000000000000002"}
	for i, r := range recs {
		r.TraceID = traces[i%2]
		if i >= 2 {
			r.SessionID, r.UserID = "", "" // arrived without identity
		}
	}
	// An attribute named trace_id must not be taken for the record's own.
	recs[3].Attributes = map[string]any{"trace_id": traces[0]}
	recs[5].TraceID = ""
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recs}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []store.Query{
		{SessionID: "s1", TraceIDs: map[string]bool{traces[0]: true}},
		{UserID: "user_s1", TraceIDs: map[string]bool{traces[0]: true, traces[1]: true}},
		{TraceIDs: map[string]bool{traces[1]: true}},
		{SessionID: "s1", TraceIDs: map[string]bool{traces[0]: true}, Types: []auditrecord.Type{auditrecord.TypeInput}},
	} {
		var got, want []string
		for _, r := range recs {
			if q.Matches(r) {
				want = append(want, r.RecordID)
			}
		}
		if err := s.Scan(ctx, q, func(r *auditrecord.Record) error {
			got = append(got, r.RecordID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(want) < 2 || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("query %+v: got %v, want %v", q, got, want)
		}
	}
}
