package esstore

import (
	"context"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

func TestTraceJoinIsPushedToTheEngine(t *testing.T) {
	forEachEngine(t, testTraceJoinIsPushedToTheEngine)
}

// testTraceJoinIsPushedToTheEngine: records without a session or user join their trace's identity in
// the engine's query (Scan does not filter again), and Tombstone erases them with the user's.
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
	req := trail.TombstoneRequest{Subject: "user-1", Traces: map[string]bool{traces[0]: true, traces[1]: true}, ErasureID: "e-join", ErasedAt: time.Now()}
	objs, _, err := s.Tombstone(context.Background(), req)
	if err != nil || len(objs) != 1 || len(objs[0].ErasedSeqs) != 4 {
		t.Fatalf("erased %v (%v), want the user's 2 records and the 2 joined ones", objs, err)
	}
	refresh(t, url, cfg.Index.Prefix)
	var left []string
	if err := s.Scan(context.Background(), store.Query{}, func(r *auditrecord.Record) error {
		if r.Type != auditrecord.TypeTombstone {
			left = append(left, r.RecordID)
		}
		return nil
	}); err != nil || !equal(left, []string{recs[4].RecordID}) {
		t.Errorf("left after erasure: %v (%v)", left, err)
	}
}
