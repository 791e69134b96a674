package query_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// splitTraceStore writes, as two collector instances would, a trace whose root record (with session
// and user) went to one instance and whose four children, without identity, to the other; plus a
// trace of another session whose records must stay out.
func splitTraceStore(t *testing.T) (*objectstore.Store, []*auditrecord.Record) {
	t.Helper()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const trace, other = "cccc0000000000000000000000000001", "cccc0000000000000000000000000002"
	recs := recordfixture.Records("split", 5)
	for i, r := range recs {
		r.TraceID = trace
		if i > 0 {
			r.SessionID, r.UserID = "", ""
		}
	}
	recs[0].Type, recs[0].ToolCall, recs[0].AgentRun = auditrecord.TypeAgentRun, nil, &auditrecord.AgentRun{Operation: "invoke_agent", Status: "ok"}
	foreign := recordfixture.Records("foreign", 2)
	for _, r := range foreign {
		r.TraceID, r.UserID = other, "user-2"
	}
	foreign[1].SessionID, foreign[1].UserID = "", ""
	for i, part := range [][]*auditrecord.Record{recs[:1], append(recs[1:], foreign...)} {
		w := objectstore.New(b, objectstore.Options{}, store.Settings{InstanceID: []string{"gw-a", "gw-b"}[i]})
		if err := w.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(context.Background(), store.Batch{Signal: "traces", Records: part}); err != nil {
			t.Fatal(err)
		}
	}
	return objectstore.New(b, objectstore.Options{}, store.Settings{InstanceID: "reader"}), recs
}

func TestTimelineAndUserJoinRecordsStoredWithoutIdentity(t *testing.T) {
	s, recs := splitTraceStore(t)
	ctx := context.Background()
	for _, q := range []store.Query{{SessionID: "session-split"}, {UserID: "user-1"}} {
		got, err := query.Records(ctx, s, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs) {
			t.Fatalf("%+v: %d records, want the trace's %d", q, len(got), len(recs))
		}
		for _, r := range got {
			if r.SessionID != "session-split" || r.UserID != "user-1" {
				t.Errorf("%+v: record %s shown without the joined identity (%q, %q)", q, r.RecordID, r.SessionID, r.UserID)
			}
		}
	}
	// Time ranges and types still apply to joined records.
	q := store.Query{SessionID: "session-split", From: recordfixture.Base.Add(2 * time.Second), Types: []auditrecord.Type{auditrecord.TypeToolCall}}
	got, err := query.Records(ctx, s, q, nil)
	if err != nil || len(got) != 3 {
		t.Fatalf("ranged join: %d records (%v), want 3", len(got), err)
	}
}

func TestSessionsAndStatsCountJoinedRecords(t *testing.T) {
	s, recs := splitTraceStore(t)
	ctx := context.Background()
	sessions, err := query.Sessions(ctx, s, store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var split *query.Session
	for i := range sessions {
		if sessions[i].SessionID == "session-split" {
			split = &sessions[i]
		}
	}
	if split == nil || split.Records != len(recs) || split.ToolCalls != 4 || split.UserID != "user-1" {
		t.Fatalf("sessions: %+v", sessions)
	}
	tools, err := query.ToolStats(ctx, s, store.Query{UserID: "user-1"}, nil)
	if err != nil || len(tools) != 1 || tools[0].Calls != 4 {
		t.Fatalf("tool stats of user-1: %+v (%v)", tools, err)
	}
	ids, err := query.TraceIDsOf(ctx, s, store.Query{UserID: "user-2"}, nil)
	if err != nil || len(ids) != 1 || !ids["cccc0000000000000000000000000002"] {
		t.Fatalf("traces of user-2: %v (%v)", ids, err)
	}
}
