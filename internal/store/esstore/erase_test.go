package esstore

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

func TestTombstoneReplacesOnlyTheSubject(t *testing.T) {
	forEachEngine(t, testTombstoneReplacesOnlyTheSubject)
}

// testTombstoneReplacesOnlyTheSubject: more than one search page of user-1's records become
// tombstones in place (a held one stays), user-2's are untouched, the old content is no longer in
// the engine, and Verify reports the tombstones as erased, not as modified or missing.
func testTombstoneReplacesOnlyTheSubject(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)
	ctx := context.Background()
	forgotten := recordfixture.Records("forgotten", erasurePage+7)
	kept := recordfixture.Records("kept", 3)
	for _, r := range kept {
		r.UserID = "user-2"
	}
	write(t, s, append(append([]*auditrecord.Record{}, forgotten...), kept...))
	heldID := forgotten[5].RecordID
	req := trail.TombstoneRequest{
		Subject: "user-1", ErasureID: "20261207T120000Z-test", Requester: "dpo@example.com",
		ErasedAt: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), DryRun: true,
		Held: func(r *auditrecord.Record) string {
			if r.RecordID == heldID {
				return "hold-1"
			}
			return ""
		},
	}
	objs, held, err := s.Tombstone(ctx, req)
	if err != nil || len(objs) != 1 || len(objs[0].ErasedSeqs) != len(forgotten)-1 || held["hold-1"] != 1 {
		t.Fatalf("dry run: %v, held %v, %v", objs, held, err)
	}
	callID := map[string]any{"term": map[string]any{"tool_call.call_id": "call-forgotten-0"}}
	if n := countDocs(t, url, cfg.Index.Prefix, callID); n != 1 {
		t.Fatalf("the dry run changed documents: %d with the call id", n)
	}
	req.DryRun = false
	if objs, _, err = s.Tombstone(ctx, req); err != nil || len(objs[0].ErasedSeqs) != len(forgotten)-1 {
		t.Fatalf("Tombstone: %v, %v", objs, err)
	}
	if got := scanIDs(t, s, store.Query{UserID: "user-1"}); !equal(got, []string{heldID}) {
		t.Errorf("user-1's records left: %v, want only the held one", got)
	}
	if got, want := scanIDs(t, s, store.Query{UserID: "user-2"}), recordfixture.IDs(kept); !equal(got, want) {
		t.Errorf("user-2's records: got %v, want %v", got, want)
	}
	if n := countDocs(t, url, cfg.Index.Prefix, nil); n != len(forgotten)+len(kept) {
		t.Errorf("%d documents, want %d (tombstones keep their places)", n, len(forgotten)+len(kept))
	}
	if n := countDocs(t, url, cfg.Index.Prefix, callID); n != 0 {
		t.Errorf("erased content still found: %d documents with the call id", n)
	}
	tomb := map[string]any{"term": map[string]any{"tombstone.erasure_id": req.ErasureID}}
	if n := countDocs(t, url, cfg.Index.Prefix, tomb); n != len(forgotten)-1 {
		t.Errorf("%d tombstones of the erasure, want %d", n, len(forgotten)-1)
	}
	rep, err := s.Verify(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || len(rep.Findings) != 1 || rep.Findings[0].Kind != trail.Erased || !strings.Contains(rep.Findings[0].Detail, "1006 records") {
		t.Fatalf("verify after erasure: %+v", rep.Findings)
	}
	// A second run finds nothing left to erase.
	if objs, _, err := s.Tombstone(ctx, req); err != nil || len(objs) != 0 {
		t.Errorf("second run: %v, %v", objs, err)
	}
}

// TestTombstoneWithoutNoteFails: a document replaced by a tombstone through the engine's own API,
// with no erasure note in the evidence index, is a record whose content was changed.
func TestTombstoneWithoutNoteFails(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url, flavor string) {
		cfg := testConfig(t, url, flavor)
		s := startStore(t, cfg)
		recs := recordfixture.Records("unnoted", 2)
		write(t, s, recs)
		refresh(t, url, cfg.Index.Prefix)
		var idx []struct {
			Index string `json:"index"`
		}
		engineJSON(t, http.MethodGet, url+"/_cat/indices/"+cfg.Index.Prefix+"-*?format=json&h=index", nil, &idx)
		body, err := encodeDocument(trail.NewTombstone(recs[0], "forged", time.Now()))
		if err != nil || len(idx) != 1 {
			t.Fatal(err, idx)
		}
		if err := s.bulkReplace(context.Background(), append(append([]byte(`{"index":{"_index":"`+idx[0].Index+`","_id":"`+recs[0].RecordID+`"}}`+"\n"), body...), '\n')); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Verify(context.Background(), url)
		if err != nil || rep.OK || rep.Findings[0].Kind != trail.ModifiedRecord {
			t.Fatalf("unnoted tombstone: %+v %v", rep.Findings, err)
		}
	})
}
