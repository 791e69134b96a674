package esstore

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// TestFakePartialBulkFailureKeepsTheChain injects what a real node will not do on demand (hence the
// fake): a bulk request that partly succeeds, with one item refused until the Write gives up and
// another stored although its answer said 500. The failed Write's assignment is resent first by the
// next Write (another batch), the queue's retry of the failed batch adds nothing, and the documents
// stored form one chain 1..7 with no fork, no gap and each record once.
func TestFakePartialBulkFailureKeepsTheChain(t *testing.T) {
	a, b := recordfixture.Records("partial-a", 5), recordfixture.Records("partial-b", 2)
	refused, lostAnswer := a[1].RecordID, a[3].RecordID
	f, url := newFakeEngine(t, FlavorElasticsearch, func(id string, attempt int) int {
		switch {
		case id == refused && attempt <= 4:
			return http.StatusServiceUnavailable
		case id == lostAnswer && attempt == 1:
			return storedButFailed
		}
		return http.StatusCreated
	})
	s := startStore(t, fakeConfig(t, url, FlavorElasticsearch)) // 4 attempts per Write
	ctx := context.Background()
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: a}); err == nil {
		t.Fatal("Write succeeded although one item was refused on every attempt")
	}
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: b}); err != nil {
		t.Fatalf("next Write: %v", err)
	}
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: a}); err != nil {
		t.Fatalf("retried Write: %v", err)
	}
	if st := s.Stats(); st.Indexed.Load() != 7 || st.AlreadyPresent.Load() != 5 {
		t.Errorf("indexed %d already %d, want 7 and 5", st.Indexed.Load(), st.AlreadyPresent.Load())
	}
	want := append(recordfixture.IDs(a), recordfixture.IDs(b)...)
	checkFakeChain(t, f.stored(), "test-traces", want)
}

// TestFakeRechainsAfterDuplicateAndRejection: a batch whose first record is stored already (409
// from an earlier run) and whose third the engine rejects for good: both leave the chain and the
// documents after them are chained again (overwritten, being the writer's own).
func TestFakeRechainsAfterDuplicateAndRejection(t *testing.T) {
	recs := recordfixture.Records("rechain", 5)
	dup, bad := recs[0].RecordID, recs[2].RecordID
	f, url := newFakeEngine(t, FlavorOpenSearch, func(id string, _ int) int {
		switch id {
		case dup:
			return http.StatusConflict
		case bad:
			return http.StatusBadRequest
		}
		return http.StatusCreated
	})
	cfg := fakeConfig(t, url, FlavorOpenSearch)
	s := startStore(t, cfg)
	if err := s.Write(context.Background(), store.Batch{Signal: "traces", Records: recs}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if st := s.Stats(); st.Indexed.Load() != 3 || st.AlreadyPresent.Load() != 1 || st.DeadLettered.Load() != 1 {
		t.Errorf("indexed %d already %d dead %d, want 3, 1, 1", st.Indexed.Load(), st.AlreadyPresent.Load(), st.DeadLettered.Load())
	}
	docs := f.stored()
	delete(docs, dup) // never stored by the fake: its 409 is scripted
	checkFakeChain(t, docs, "test-traces", []string{recs[1].RecordID, recs[3].RecordID, recs[4].RecordID})
	if letters, _ := ReadDeadLetters(cfg.DeadLetter.Directory); len(letters) != 1 || letters[0].RecordID != bad || letters[0].Record.Integrity != nil {
		t.Errorf("dead letters %+v, want the rejected record, outside the chain", letters)
	}
}

// checkFakeChain checks that docs are one chain of stream holding ids in seq order 1.., through
// the store's own verifier.
func checkFakeChain(t *testing.T, docs map[string][]byte, stream string, ids []string) {
	t.Helper()
	recs := make([]evidence.StoredRecord, 0, len(docs))
	byID := map[string]uint64{}
	for id, body := range docs {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		var in auditrecord.Integrity
		if err := json.Unmarshal(doc["integrity"], &in); err != nil || in.Stream != stream {
			t.Fatalf("document %s: integrity %s (%v)", id, doc["integrity"], err)
		}
		delete(doc, "search") // derived, outside the chain; readers exclude it
		line, _ := json.Marshal(doc)
		recs = append(recs, evidence.StoredRecord{Seq: in.Seq, Hash: in.Hash, Line: line, Where: id})
		byID[id] = in.Seq
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	rep := trail.Report{}
	w := &chainWalk{rep: &rep, stream: stream, expect: 1, prevKnown: true, seen: map[string]bool{}}
	for _, r := range recs {
		if err := w.doc(r); err != nil {
			t.Fatal(err)
		}
	}
	rep.Finish()
	if !rep.OK || rep.Counts.Records != len(ids) {
		t.Fatalf("chain of %d documents, want %d: %+v", rep.Counts.Records, len(ids), rep.Findings)
	}
	for i, id := range ids {
		if byID[id] != uint64(i+1) {
			t.Errorf("record %s at seq %d, want %d", id, byID[id], i+1)
		}
	}
}

// TestFakeTimedOutWriteKeepsWhatWasStored injects an engine that answers the first bulk requests of
// a Write and then holds the rest past the caller's deadline, as a loaded cluster does with a batch
// of thousands of documents under the exporter's timeout (a real node will not stall on demand,
// hence the fake). The documents answered before the deadline stay stored and are not sent again:
// the retry sends only the rest, so a batch too big for one timeout still gets through.
func TestFakeTimedOutWriteKeepsWhatWasStored(t *testing.T) {
	recs := recordfixture.Records("stalled", 24)
	f, url := newFakeEngine(t, FlavorElasticsearch, created)
	f.stallAfter = 2
	cfg := fakeConfig(t, url, FlavorElasticsearch)
	cfg.Bulk = BulkConfig{FlushBytes: 1024, Workers: 1} // several requests, one after another
	s := startStore(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	err := s.Write(ctx, store.Batch{Signal: "traces", Records: recs})
	cancel()
	if err == nil {
		t.Fatal("Write succeeded although the engine held its later requests past the deadline")
	}
	first := f.stored()
	if len(first) == 0 || len(first) == len(recs) {
		t.Fatalf("the first requests stored %d of %d documents, want some but not all", len(first), len(recs))
	}
	if got := s.Stats().Indexed.Load(); got != int64(len(first)) {
		t.Errorf("indexed %d after the timed-out Write, want the %d the engine answered", got, len(first))
	}
	f.unstall()
	if err := s.Write(context.Background(), store.Batch{Signal: "traces", Records: recs}); err != nil {
		t.Fatalf("retried Write: %v", err)
	}
	f.mu.Lock()
	for id := range first {
		if n := f.attempts[id]; n != 1 {
			t.Errorf("document %s stored by the timed-out Write was sent %d times, want once", id, n)
		}
	}
	f.mu.Unlock()
	if got := s.Stats().Indexed.Load(); got != int64(len(recs)) {
		t.Errorf("indexed %d, want %d", got, len(recs))
	}
	checkFakeChain(t, f.stored(), "test-traces", recordfixture.IDs(recs))
}
