package store

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

func TestTraceIDsJoinRecordsWithoutIdentityToTheirTrace(t *testing.T) {
	rec := func(session, user, trace string) *auditrecord.Record {
		return &auditrecord.Record{SessionID: session, UserID: user, TraceID: trace}
	}
	joined := map[string]bool{"t1": true}
	for _, c := range []struct {
		q    Query
		r    *auditrecord.Record
		want bool
	}{
		{Query{SessionID: "s"}, rec("", "", "t1"), false},                  // no join asked
		{Query{SessionID: "s", TraceIDs: joined}, rec("", "", "t1"), true}, // joined by trace
		{Query{SessionID: "s", TraceIDs: joined}, rec("", "", "t2"), false},
		{Query{SessionID: "s", TraceIDs: joined}, rec("other", "", "t1"), false}, // its own session wins
		{Query{SessionID: "s", TraceIDs: joined}, rec("s", "", "t9"), true},
		{Query{UserID: "u", TraceIDs: joined}, rec("s", "", "t1"), true},
		{Query{UserID: "u", TraceIDs: joined}, rec("", "v", "t1"), false},
		{Query{TraceIDs: joined}, rec("x", "y", "t1"), true},
		{Query{TraceIDs: joined}, rec("x", "y", "t2"), false},
	} {
		if got := c.q.Matches(c.r); got != c.want {
			t.Errorf("%+v matches %+v = %v, want %v", c.q, c.r, got, c.want)
		}
	}
}
