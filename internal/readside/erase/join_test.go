package erase_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// TestForgetErasesRecordsJoinedByTrace: a trace's children stored without a user id (its root with
// the user arrived late, at another instance) are the user's and are erased; another user's record
// of an unrelated trace, and a record of the trace that names another user, stay.
func TestForgetErasesRecordsJoinedByTrace(t *testing.T) {
	ctx := context.Background()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	signer, pub := newSigner(t)
	const trace = "dddd0000000000000000000000000001"
	recs := recordfixture.Records("forget-join", 5)
	for i, r := range recs {
		r.TraceID = trace
		if i > 0 {
			r.SessionID, r.UserID = "", ""
		}
	}
	recs[4].UserID = "user-9"
	keep := recordfixture.Records("unrelated", 1)
	keep[0].SessionID, keep[0].UserID, keep[0].TraceID = "", "", "dddd0000000000000000000000000002"
	s := writer(b, signer)
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: append(recs, keep...)}); err != nil {
		t.Fatal(err)
	}
	traces, err := erase.SubjectTraces(ctx, s, "user-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := erase.Forget(ctx, writer(b, signer), erase.Options{Subject: "user-1", Traces: traces, Requester: "dpo", Signer: signer, Now: func() time.Time { return erasedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 4 {
		t.Fatalf("erased %d records, want the user's 1 and the 3 joined by trace", res.Records)
	}
	kept := map[string]auditrecord.Type{}
	for _, r := range scanAll(t, s) {
		kept[r.RecordID] = r.Type
	}
	for i, r := range recs {
		want := auditrecord.TypeTombstone
		if i == 4 {
			want = auditrecord.TypeToolCall
		}
		if kept[r.RecordID] != want {
			t.Errorf("record %d is %s, want %s", i, kept[r.RecordID], want)
		}
	}
	if kept[keep[0].RecordID] != auditrecord.TypeToolCall {
		t.Error("a record of an unrelated trace was erased")
	}
	if rep := verifyStore(t, b, pub); !rep.OK {
		t.Fatalf("verify after erasure: %+v", rep)
	}

	// A record of the trace without user id arrives after the erasure (it waited at a collector
	// that never saw the root): the user's records are tombstones now, but the erasure record names
	// the trace, so erasing the user again finds it.
	late := recordfixture.Records("late", 1)
	late[0].SessionID, late[0].UserID, late[0].TraceID = "", "", trace
	if err := writer(b, signer).Write(ctx, store.Batch{Signal: "traces", Records: late}); err != nil {
		t.Fatal(err)
	}
	traces, err = erase.SubjectTraces(ctx, s, "user-1", nil)
	if err != nil || !traces[trace] {
		t.Fatalf("traces after the erasure: %v (%v)", traces, err)
	}
	res, err = erase.Forget(ctx, writer(b, signer), erase.Options{Subject: "user-1", Traces: traces, Requester: "dpo", Signer: signer, Now: func() time.Time { return erasedAt.Add(time.Hour) }})
	if err != nil || res.Records != 1 {
		t.Fatalf("second erasure: %d records (%v), want the late one", res.Records, err)
	}
	if rep := verifyStore(t, b, pub); !rep.OK {
		t.Fatalf("verify after the second erasure: %+v", rep)
	}
}
