package identityhold

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// sessionLogs returns n log records of session without trace context or user, as an application's
// agent log events after its input look.
func sessionLogs(tag, session string, n int) []*auditrecord.Record {
	recs := recordfixture.Records(tag, n)
	for _, r := range recs {
		r.SessionID, r.UserID, r.TraceID, r.SpanID = session, "", "", ""
		r.Source = &auditrecord.Source{Signal: "logs", Convention: "agent_log"}
	}
	return recs
}

// Log events without trace context join their session: events that arrive before the one naming
// the user wait for it, across a restart, and events after it get the user at once.
func TestUntracedLogsWaitForTheirSessionsUser(t *testing.T) {
	dir := t.TempDir()
	c := &clock{recordfixture.Base}
	h := openHold(t, dir, c)
	early := sessionLogs("early", "sess-1", 2)
	if a := admit(t, h, early); len(a.Write) != 0 || a.Held != 2 {
		t.Fatalf("early events not held: %+v", a)
	}
	// Another session's events do not wait with these.
	if a := admit(t, h, sessionLogs("other", "sess-2", 1)); a.Held != 1 || a.Release != nil {
		t.Fatalf("other session: %+v", a)
	}
	// The collector restarts: the held events are replayed from the journal.
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h = openHold(t, dir, c)
	if tr, n, _ := h.Held(); tr != 2 || n != 3 {
		t.Fatalf("after restart: %d sessions %d records held", tr, n)
	}
	input := sessionLogs("input", "sess-1", 1)
	input[0].UserID = "user-9"
	a := admit(t, h, input)
	if len(a.Write) != 1 || a.Release == nil || len(a.Release.Records) != 2 || a.Release.ByOutcome[Identified] != 2 {
		t.Fatalf("input did not release its session: %+v", a)
	}
	for _, r := range a.Release.Records {
		if r.UserID != "user-9" || r.SessionID != "sess-1" {
			t.Fatalf("released without the user: %+v", r)
		}
	}
	h.Done(a.Release, true)
	late := sessionLogs("late", "sess-1", 2)
	if a := admit(t, h, late); len(a.Write) != 2 || a.Filled != 2 || a.Write[1].UserID != "user-9" {
		t.Fatalf("late events: %+v", a)
	}
	// A record with neither trace nor session waits for nothing.
	lone := sessionLogs("lone", "", 1)
	if a := admit(t, h, lone); len(a.Write) != 1 || a.Held != 0 {
		t.Fatalf("lone record: %+v", a)
	}
	if tr, n, _ := h.Held(); tr != 1 || n != 1 {
		t.Fatalf("still held: %d sessions %d records (want sess-2's one)", tr, n)
	}
}
