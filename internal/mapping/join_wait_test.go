package mapping

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func choiceLog(tid pcommon.TraceID, sid pcommon.SpanID) plog.Logs {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTraceID(tid)
	lr.SetSpanID(sid)
	lr.Attributes().PutStr("event.name", "gen_ai.choice")
	body := lr.Body().SetEmptyMap()
	body.PutInt("index", 0)
	body.PutStr("finish_reason", "stop")
	body.PutEmptyMap("message").PutStr("content", "It is sunny.")
	// An unrelated log of the same span does not make the mapper wait.
	other := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	other.SetTraceID(tid)
	other.SetSpanID(pcommon.SpanID([8]byte{7}))
	other.Attributes().PutStr("event.name", "agent.reasoning")
	return ld
}

func waitChatSpan(tid pcommon.TraceID, sid pcommon.SpanID) ptrace.Traces {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	sp.SetName("chat gpt-4o")
	sp.Attributes().PutStr("gen_ai.operation.name", "chat")
	sp.Attributes().PutStr("gen_ai.response.model", "gpt-4o")
	sp.Attributes().PutInt("gen_ai.usage.input_tokens", 10)
	sp.Attributes().PutInt("gen_ai.usage.output_tokens", 5)
	return td
}

func TestLogsWaitForTheirModelCallSpanThenBorrowFromIt(t *testing.T) {
	m := New(Options{})
	tid := pcommon.TraceID([16]byte{1})
	sid := pcommon.SpanID([8]byte{2})
	ld := choiceLog(tid, sid)

	keys := m.SpansAwaited(ld)
	if len(keys) != 1 {
		t.Fatalf("awaited %v, want the one chat span", keys)
	}
	if m.WaitForSpans(context.Background(), keys, 10*time.Millisecond) {
		t.Fatal("wait reported success before the span was mapped")
	}
	done := make(chan bool)
	go func() { done <- m.WaitForSpans(context.Background(), keys, time.Minute) }()
	m.MapTraces(waitChatSpan(tid, sid), time.Now())
	if !<-done {
		t.Fatal("wait did not end when the span arrived")
	}
	if len(m.SpansAwaited(ld)) != 0 {
		t.Fatal("span still awaited after it was mapped")
	}
	recs, _ := m.MapLogs(ld, time.Now())
	var found bool
	for _, r := range recs {
		if r.Output != nil {
			found = true
			if r.Output.Model != "gpt-4o" || r.Output.Tokens == nil || *r.Output.Tokens.Input != 10 {
				t.Fatalf("output did not borrow from its span: %+v", r.Output)
			}
		}
	}
	if !found {
		t.Fatal("no output record from gen_ai.choice")
	}
}

func TestWaitForSpansEndsWithTheContext(t *testing.T) {
	m := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if m.WaitForSpans(ctx, []string{"never"}, time.Hour) {
		t.Fatal("cancelled wait reported success")
	}
}
