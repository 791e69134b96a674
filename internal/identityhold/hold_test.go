package identityhold

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

const traceA = "0af7651916cd43dd8448eb211c80319c"

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openHold(t *testing.T, dir string, c *clock, mod ...func(*Options)) *Hold {
	t.Helper()
	o := Options{Dir: dir, Window: time.Minute, MaxTraces: 100, MaxBytes: 1 << 20, Now: c.now}
	for _, m := range mod {
		m(&o)
	}
	h, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// anonymous returns n tool-call records of trace without session or user, as a child span's records
// look when its root has not arrived.
func anonymous(tag, trace string, n int) []*auditrecord.Record {
	recs := recordfixture.Records(tag, n)
	for _, r := range recs {
		r.SessionID, r.UserID, r.TraceID = "", "", trace
	}
	return recs
}

func admit(t *testing.T, h *Hold, recs []*auditrecord.Record, traces ...mapping.TraceIdentity) Admitted {
	t.Helper()
	a, err := h.Admit(recs, traces, recordfixture.Base)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestRecordsWaitForTheRootAndLeaveWithItsIdentity(t *testing.T) {
	dir := t.TempDir()
	h := openHold(t, dir, &clock{recordfixture.Base})
	children := anonymous("child", traceA, 3)
	if a := admit(t, h, children); len(a.Write) != 0 || a.Held != 3 || a.Release != nil {
		t.Fatalf("children not held: %+v", a)
	}
	if tr, n, _ := h.Held(); tr != 1 || n != 3 {
		t.Fatalf("held %d traces %d records", tr, n)
	}
	// The root span made no record of its own (an application's request span): only the mapping's
	// trace identity says whose trace it is.
	a := admit(t, h, nil, mapping.TraceIdentity{TraceID: traceA, SessionID: "s-1", UserID: "u-1", Root: true})
	if a.Release == nil || len(a.Release.Records) != 3 || a.Release.ByOutcome[Identified] != 3 {
		t.Fatalf("release = %+v", a.Release)
	}
	for _, r := range a.Release.Records {
		if r.SessionID != "s-1" || r.UserID != "u-1" {
			t.Fatalf("released without identity: %+v", r)
		}
	}
	if len(a.Write) != 0 {
		t.Fatalf("identity record written although held records carry the identity: %+v", a.Write)
	}
	h.Done(a.Release, true)
	if tr, n, b := h.Held(); tr != 0 || n != 0 || b != 0 {
		t.Fatalf("still held: %d traces %d records %d bytes", tr, n, b)
	}
	// Later records of the trace (log events after their spans) get the identity at once.
	late := anonymous("late", traceA, 2)
	a = admit(t, h, late)
	if len(a.Write) != 2 || a.Filled != 2 || a.Write[0].SessionID != "s-1" {
		t.Fatalf("late records: %+v", a)
	}
}

func TestIdentityRecordKeepsAnIdentityThatCameWithoutRecords(t *testing.T) {
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
	a := admit(t, h, nil, mapping.TraceIdentity{TraceID: traceA, SessionID: "s-1", UserID: "u-1", Root: true})
	if len(a.Write) != 1 || a.Write[0].Type != auditrecord.TypeIdentity || a.Write[0].TraceID != traceA || a.Write[0].UserID != "u-1" {
		t.Fatalf("no identity record: %+v", a.Write)
	}
	if err := auditrecord.Validate(a.Write[0]); err != nil {
		t.Fatal(err)
	}
	// Told again (another batch of the same trace), it is not written twice.
	if a := admit(t, h, nil, mapping.TraceIdentity{TraceID: traceA, SessionID: "s-1", UserID: "u-1"}); len(a.Write) != 0 {
		t.Fatalf("identity record repeated: %+v", a.Write)
	}
}

func TestRootWithoutIdentityReleasesAtOnce(t *testing.T) {
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
	admit(t, h, anonymous("child", traceA, 2))
	a := admit(t, h, nil, mapping.TraceIdentity{TraceID: traceA, Root: true})
	if a.Release == nil || a.Release.ByOutcome[Complete] != 2 || len(a.Write) != 0 {
		t.Fatalf("release = %+v, write %d", a.Release, len(a.Write))
	}
	h.Done(a.Release, true)
	if a := admit(t, h, anonymous("after", traceA, 1)); len(a.Write) != 1 || a.Held != 0 {
		t.Fatalf("record of a complete trace held: %+v", a)
	}
}

func TestWindowAndCapsReleaseWithoutIdentityNeverDrop(t *testing.T) {
	c := &clock{recordfixture.Base}
	h := openHold(t, t.TempDir(), c, func(o *Options) { o.MaxTraces = 2 })
	traces := []string{"00000000000000000000000000000001", "00000000000000000000000000000002", "00000000000000000000000000000003"}
	admit(t, h, anonymous("t1", traces[0], 1))
	admit(t, h, anonymous("t2", traces[1], 1))
	a := admit(t, h, anonymous("t3", traces[2], 1))
	if a.Release == nil || a.Release.ByOutcome[Evicted] != 1 || a.Release.Records[0].TraceID != traces[0] {
		t.Fatalf("oldest trace not evicted: %+v", a.Release)
	}
	h.Done(a.Release, true)
	if h.Due() != nil {
		t.Fatal("released before the window")
	}
	c.t = c.t.Add(time.Minute)
	rel := h.Due()
	if rel == nil || rel.ByOutcome[Expired] != 2 {
		t.Fatalf("expired = %+v", rel)
	}
	// A failed write keeps them: the next Due offers them again.
	h.Done(rel, false)
	again := h.Due()
	if again == nil || len(again.Records) != 2 || again.ByOutcome[Expired] != 2 {
		t.Fatalf("failed release not retried: %+v", again)
	}
	h.Done(again, true)
	if tr, n, _ := h.Held(); tr != 0 || n != 0 {
		t.Fatalf("held after release: %d %d", tr, n)
	}
}

func TestByteCapEvicts(t *testing.T) {
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base}, func(o *Options) { o.MaxBytes = 1 })
	a := admit(t, h, anonymous("big", traceA, 2))
	if a.Release == nil || a.Release.ByOutcome[Evicted] != 2 {
		t.Fatalf("byte cap not enforced: %+v", a.Release)
	}
}

func TestRetriedBatchIsHeldOnce(t *testing.T) {
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
	admit(t, h, anonymous("child", traceA, 2))
	if a := admit(t, h, anonymous("child", traceA, 2)); a.Held != 0 {
		t.Fatalf("held twice: %+v", a)
	}
	if _, n, _ := h.Held(); n != 2 {
		t.Fatalf("held %d records", n)
	}
}

// TestJournalSurvivesACrash closes nothing: the hold is dropped as a killed process would drop it,
// and a new one on the same directory must hold the same records and release them with the identity.
func TestJournalSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	c := &clock{recordfixture.Base}
	first, err := Open(Options{Dir: dir, Window: time.Minute, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	children := anonymous("child", traceA, 3)
	children[0].Attributes = map[string]any{"big": int64(1) << 60, "ratio": 0.1}
	want, _ := auditrecord.MarshalRecord(children[0])
	if _, err := first.Admit(children, nil, recordfixture.Base); err != nil {
		t.Fatal(err)
	}
	// A torn append of a batch that was never acknowledged.
	seg := segments(t, dir)
	if len(seg) != 1 {
		t.Fatalf("segments %v", seg)
	}
	f, _ := os.OpenFile(seg[0], os.O_WRONLY|os.O_APPEND, 0)
	_, _ = f.WriteString(`{"record":{"schema_ver`)
	_ = f.Close()
	if _, err := Open(Options{Dir: dir, Window: time.Minute, Now: c.now}); err == nil {
		t.Fatal("a second hold opened a journal in use")
	}
	_ = first.j.lock.Close() // the process died: the kernel drops its lock

	second := openHold(t, dir, c)
	if tr, n, _ := second.Held(); tr != 1 || n != 3 {
		t.Fatalf("after the crash %d traces %d records held", tr, n)
	}
	a := admit(t, second, nil, mapping.TraceIdentity{TraceID: traceA, SessionID: "s-1", UserID: "u-1", Root: true})
	if a.Release == nil || len(a.Release.Records) != 3 {
		t.Fatalf("release after restart = %+v", a.Release)
	}
	for _, r := range a.Release.Records {
		if r.RecordID == children[0].RecordID {
			r.SessionID, r.UserID = "", ""
			got, _ := auditrecord.MarshalRecord(r)
			if string(got) != string(want) {
				t.Fatalf("replayed record changed:\n got %s\nwant %s", got, want)
			}
		}
	}
	second.Done(a.Release, true)
	if got := segments(t, dir); len(got) != 0 {
		t.Fatalf("released segments kept: %v", got)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	third := openHold(t, dir, c)
	if tr, _, _ := third.Held(); tr != 0 {
		t.Fatalf("released records replayed: %d traces", tr)
	}
}

// TestMappedSplitTrace feeds the hold what the mapping makes of a trace whose child span comes in one
// batch and its root (with the session) in a later one.
func TestMappedSplitTrace(t *testing.T) {
	m := mapping.New(mapping.Options{})
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
	tid := pcommon.TraceID{1, 2, 3}
	root, child := pcommon.SpanID{1}, pcommon.SpanID{2}
	batch := func(fn func(ptrace.Span)) ptrace.Traces {
		td := ptrace.NewTraces()
		s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetTraceID(tid)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(recordfixture.Base))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(recordfixture.Base.Add(time.Second)))
		fn(s)
		return td
	}
	childTD := batch(func(s ptrace.Span) {
		s.SetSpanID(child)
		s.SetParentSpanID(root)
		s.SetName("execute_tool lookup")
		s.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
		s.Attributes().PutStr("gen_ai.tool.name", "lookup")
	})
	rootTD := batch(func(s ptrace.Span) {
		s.SetSpanID(root)
		s.SetName("POST /chat")
		s.Attributes().PutStr("session.id", "s-9")
		s.Attributes().PutStr("user.id", "u-9")
	})
	recs, stats := m.MapTraces(childTD, recordfixture.Base)
	if len(recs) == 0 || len(stats.Traces) != 0 {
		t.Fatalf("child batch: %d records, traces %+v", len(recs), stats.Traces)
	}
	if a := admit(t, h, recs, stats.Traces...); a.Held != len(recs) {
		t.Fatalf("child records not held: %+v", a)
	}
	recs, stats = m.MapTraces(rootTD, recordfixture.Base)
	if len(stats.Traces) != 1 || !stats.Traces[0].Root || stats.Traces[0].SessionID != "s-9" {
		t.Fatalf("root batch traces %+v", stats.Traces)
	}
	a := admit(t, h, recs, stats.Traces...)
	if a.Release == nil || a.Release.ByOutcome[Identified] == 0 {
		t.Fatalf("root did not release: %+v", a)
	}
	for _, r := range append(a.Write, a.Release.Records...) {
		if r.SessionID != "s-9" || r.UserID != "u-9" {
			t.Fatalf("record without identity: %s %s", r.Type, r.RecordID)
		}
	}
}

// BenchmarkHeldTraces reports the heap one waiting trace of three tool-call records takes
// (records in memory plus bookkeeping; the journal is on disk).
func BenchmarkHeldTraces(b *testing.B) {
	const traces = 1000
	for range b.N {
		h, err := Open(Options{Dir: b.TempDir(), Window: time.Hour, MaxTraces: 1 << 20, MaxBytes: 1 << 40})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		batches := make([][]*auditrecord.Record, traces)
		for i := range batches {
			batches[i] = anonymous(string(rune('a'+i%26))+"-"+time.Duration(i).String(), pcommon.TraceID{byte(i >> 8), byte(i), 7}.String(), 3)
		}
		for _, recs := range batches {
			if _, err := h.Admit(recs, nil, recordfixture.Base); err != nil {
				b.Fatal(err)
			}
		}
		// batches is dead from here (no later use), so this GC frees it before the measurement.
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1024, "KiB/1000traces")
		_, _, bytes := h.Held()
		b.ReportMetric(float64(bytes)/1024, "journalKiB/1000traces")
		_ = h.Close()
	}
}

// BenchmarkKnownTraces reports the heap a full recent-trace table takes per entry.
func BenchmarkKnownTraces(b *testing.B) {
	const n = 50_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = pcommon.TraceID{byte(i >> 16), byte(i >> 8), byte(i), 9}.String()
	}
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		k := newKnownTraces(n)
		for _, id := range ids {
			k.learn(id, "session-"+id[:8], "user-"+id[:6], true)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/entry")
		runtime.KeepAlive(k)
	}
}

// BenchmarkAdmitIdentifiedBatch is the hot path: a batch of 100 records (10 traces) that carry their
// identity, as most batches do; nothing is held or journaled.
func BenchmarkAdmitIdentifiedBatch(b *testing.B) {
	h, err := Open(Options{Dir: b.TempDir(), Window: time.Minute, MaxTraces: 1000, MaxBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = h.Close() }()
	recs := recordfixture.Records("bench", 100)
	var traces []mapping.TraceIdentity
	for i, r := range recs {
		r.TraceID = pcommon.TraceID{byte(i / 10), 1}.String()
		if i%10 == 0 {
			traces = append(traces, mapping.TraceIdentity{TraceID: r.TraceID, SessionID: r.SessionID, UserID: r.UserID, Root: true})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		a, err := h.Admit(recs, traces, recordfixture.Base)
		if err != nil || len(a.Write) != len(recs) {
			b.Fatalf("%v, %d written", err, len(a.Write))
		}
	}
}

func TestReleasedRecordsInheritTheAgentOfTheirAncestorSpan(t *testing.T) {
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
	recs := anonymous("agent", traceA, 3)
	tool, chatLog, agentRun := recs[0], recs[1], recs[2]
	for _, r := range recs {
		r.Agent = nil
	}
	tool.SpanID, tool.ParentSpanID = "0000000000000003", "0000000000000002" // execute_tool under invoke_agent
	chatLog.SpanID, chatLog.Source = "0000000000000004", &auditrecord.Source{Signal: "logs", Name: "gen_ai.choice"}
	chat := anonymous("chat", traceA, 1)[0] // the log's chat span, also under invoke_agent
	chat.Agent, chat.SpanID, chat.ParentSpanID = nil, "0000000000000004", "0000000000000002"
	admit(t, h, []*auditrecord.Record{tool, chatLog, chat})
	agentRun.SpanID, agentRun.ParentSpanID, agentRun.Agent = "0000000000000002", "0000000000000001", &auditrecord.Agent{Name: "travel"}
	agentRun.SessionID = "s-1" // the invoke_agent span carries the session
	a := admit(t, h, []*auditrecord.Record{agentRun})
	if a.Release == nil || len(a.Release.Records) != 3 {
		t.Fatalf("release = %+v", a.Release)
	}
	for _, r := range a.Release.Records {
		if r.Agent == nil || r.Agent.Name != "travel" || r.SessionID != "s-1" {
			t.Errorf("record of span %s (%s): agent %+v session %q", r.SpanID, r.Source.Signal, r.Agent, r.SessionID)
		}
	}
	// A log event after the trace: the trace names one agent, so it is that one.
	late := anonymous("late-log", traceA, 1)[0]
	late.Agent, late.SpanID, late.Source = nil, "0000000000000009", &auditrecord.Source{Signal: "logs"}
	if a := admit(t, h, []*auditrecord.Record{late}); len(a.Write) != 1 || a.Write[0].Agent == nil || a.Write[0].Agent.Name != "travel" {
		t.Fatalf("late log: %+v", a.Write)
	}
	// A trace naming two agents gives none to records that cannot tell which.
	other := anonymous("other-agent", traceA, 1)[0]
	other.Agent, other.SessionID = &auditrecord.Agent{Name: "billing"}, "s-1"
	admit(t, h, []*auditrecord.Record{other})
	late2 := anonymous("late-log-2", traceA, 1)[0]
	late2.Agent = nil
	if a := admit(t, h, []*auditrecord.Record{late2}); len(a.Write) != 1 || a.Write[0].Agent != nil {
		t.Fatalf("ambiguous agent filled: %+v", a.Write[0].Agent)
	}
}

// A framework's own conversation id (Pydantic AI puts a fresh one on every span) is the records'
// session only until the application's explicit session arrives on a later span of the trace: the
// records wait for it, take it as session_id and keep the conversation id.
func TestConversationOnlySessionWaitsForTheExplicitSession(t *testing.T) {
	h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
	children := anonymous("child", traceA, 2)
	for _, r := range children {
		r.SessionID, r.ConversationID = "conv-uuid", "conv-uuid"
	}
	if a := admit(t, h, children); len(a.Write) != 0 || a.Held != 2 {
		t.Fatalf("records with only a conversation id were not held: %+v", a)
	}
	a := admit(t, h, nil, mapping.TraceIdentity{TraceID: traceA, SessionID: "app-session", UserID: "u-1", Root: true})
	if a.Release == nil || len(a.Release.Records) != 2 || a.Release.ByOutcome[Identified] != 2 {
		t.Fatalf("release = %+v", a.Release)
	}
	for _, r := range a.Release.Records {
		if r.SessionID != "app-session" || r.ConversationID != "conv-uuid" || r.UserID != "u-1" {
			t.Errorf("released record: session %q conversation %q user %q, want app-session conv-uuid u-1", r.SessionID, r.ConversationID, r.UserID)
		}
	}

	// A record that names its own explicit session keeps it, even when the trace's is another.
	late := anonymous("late", traceA, 1)
	late[0].SessionID, late[0].ConversationID = "other-session", "conv-uuid"
	a = admit(t, h, late)
	if len(a.Write) != 1 || a.Write[0].SessionID != "other-session" {
		t.Fatalf("an explicit session was replaced: %+v", a.Write)
	}
}
