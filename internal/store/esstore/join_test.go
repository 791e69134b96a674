package esstore

import (
	"context"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

func TestTraceJoinIsPushedToTheEngine(t *testing.T) {
	forEachEngine(t, testTraceJoinIsPushedToTheEngine)
}

// testTraceJoinIsPushedToTheEngine: records without a session or user join their trace's identity in
// the engine's query (Scan does not filter again), and DeleteMatching erases them with the user's.
func testTraceJoinIsPushedToTheEngine(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)
	recs, traces := recordfixture.TraceJoin()
	write(t, s, recs)
	refresh(t, url, cfg.Index.Prefix)
	joined := map[string]bool{traces[0]: true}
	if got, want := scanIDs(t, s, store.Query{SessionID: "session-join", TraceIDs: joined}), recordfixture.IDs(recs[:3]); !equal(got, want) {
		t.Errorf("session joined by trace: got %v, want %v", got, want)
	}
	if got, want := scanIDs(t, s, store.Query{TraceIDs: map[string]bool{traces[1]: true}}), []string{recs[1].RecordID, recs[3].RecordID}; !equal(got, want) {
		t.Errorf("by trace: got %v, want %v", got, want)
	}
	q := store.Query{UserID: "user-1", TraceIDs: map[string]bool{traces[0]: true, traces[1]: true}}
	n, err := s.DeleteMatching(context.Background(), q, false)
	if err != nil || n != 4 {
		t.Fatalf("deleted %d (%v), want the user's 2 records and the 2 joined ones", n, err)
	}
	refresh(t, url, cfg.Index.Prefix)
	if got := scanIDs(t, s, store.Query{}); !equal(got, []string{recs[4].RecordID}) {
		t.Errorf("left after erasure: %v", got)
	}
}
