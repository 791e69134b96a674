package mapping

import (
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// An application that is instrumented (GenAI spans, exception span events) and also logs its
// agent's events as AgentLogger JSON lines through the OTel logging handler, inside the spans (the
// log carries the span's trace id): each event of the turn is one record, whichever signal the
// exporter maps first (issue 22: one event, one record).

const (
	xsInput  = "Book a flight to Paris"
	xsAnswer = "I found 2 flights: AF123 and BA456."
)

// loggedTurn is the instrumented side: agent → chat (asks for search_flights) → execute_tool
// search_flights → execute_tool book_flight (fails: PaymentError) → chat (the answer).
func loggedTurn(t *testing.T) ptrace.Traces {
	return buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "flight-agent"}, scope: "fixture", spans: []spanSpec{
		{name: "invoke_agent flights", id: 1, start: 0, end: 3000, attrs: map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "flights"}},
		{name: "chat gpt-4o", id: 2, parent: 1, start: 10, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
			"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"Book a flight to Paris"}]},{"role":"user","parts":[{"type":"text","content":"in February"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"reasoning","content":"Search first, then book."},{"type":"tool_call","id":"call_s","name":"search_flights","arguments":{"destination":"Paris","departure_date":"2024-02-01"}}]}]`,
		}},
		{name: "execute_tool search_flights", id: 3, parent: 1, start: 110, end: 1360, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search_flights", "gen_ai.tool.call.id": "call_s",
			"gen_ai.tool.call.arguments": `{"departure_date":"2024-02-01","destination":"Paris"}`,
			"gen_ai.tool.call.result":    `{"flights":["AF123","BA456"]}`,
		}},
		{
			name: "execute_tool book_flight", id: 5, parent: 1, start: 1400, end: 1500, status: ptrace.StatusCodeError, statusMsg: "card declined",
			events: []eventSpec{{name: "exception", at: 1499, attrs: map[string]any{"exception.type": "PaymentError", "exception.message": "card declined", "exception.stacktrace": "Traceback: pay()"}}},
			attrs:  map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "book_flight"},
		},
		{name: "chat gpt-4o", id: 4, parent: 1, start: 1600, end: 1900, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(90), "gen_ai.usage.output_tokens": int64(12),
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"I found 2 flights: AF123 and BA456."}]}]`,
		}},
	}})
}

// loggedEvents is the logging side of the same turn: the AgentLogger lines, each inside its span.
func loggedEvents(t *testing.T) plog.Logs {
	info := func(span byte, ms int, doc map[string]any) logSpec {
		doc["session_id"], doc["user_id"] = "sess_abc", "user_456"
		return logSpec{trace: 1, span: span, at: ms, severity: plog.SeverityNumberInfo, sevText: "INFO", attrs: handlerAttrs, body: jsonLine(t, doc)}
	}
	failed := info(1, 1502, map[string]any{"type": "error", "error": map[string]any{
		"type": "PaymentError", "message": "card declined", "stack_trace": "Traceback: pay()", "recovery_action": "ask the user for another card",
	}})
	failed.severity, failed.sevText = plog.SeverityNumberError, "ERROR"
	return buildLogs(t, map[string]any{"service.name": "flight-agent"}, "agent",
		info(1, 5, map[string]any{"type": "input", "message": xsInput}),
		info(1, 100, map[string]any{"type": "reasoning", "thought": "Search first, then book.", "confidence": 0.9}),
		info(3, 1360, map[string]any{
			"type": "tool_call", "tool_name": "search_flights", "duration_ms": 1250,
			"parameters": map[string]any{"destination": "Paris", "departure_date": "2024-02-01"}, "result": map[string]any{"flights": []any{"AF123", "BA456"}},
		}),
		failed,
		info(1, 1950, map[string]any{"type": "output", "response": xsAnswer, "tokens_used": 102}),
	)
}

func TestLoggedAndInstrumentedEventIsOneRecord(t *testing.T) {
	for _, order := range []string{"spans first", "logs first"} {
		t.Run(order, func(t *testing.T) {
			m := New(Options{})
			var recs []*auditrecord.Record
			// mapTraces and mapLogs map each batch twice: a resend gives the same records.
			var spanRecs []*auditrecord.Record
			if order == "spans first" {
				spanRecs, _ = mapTraces(t, m, loggedTurn(t))
				b, stats := mapLogs(t, m, loggedEvents(t))
				recs = slices.Concat(spanRecs, b)
				// The skipped copies still give the trace their session and user (the exporter's
				// identity hold hands them to the spans' records).
				if !slices.ContainsFunc(stats.Traces, func(ti TraceIdentity) bool {
					return ti.TraceID == hexTrace(1) && ti.SessionID == "sess_abc" && ti.UserID == "user_456"
				}) {
					t.Errorf("the logs' trace identity is lost: %+v", stats.Traces)
				}
			} else {
				b, _ := mapLogs(t, m, loggedEvents(t))
				spanRecs, _ = mapTraces(t, m, loggedTurn(t))
				recs = slices.Concat(b, spanRecs)
			}
			// A skipped copy keeps its index: the spans' other records have the ids they have alone.
			alone, _ := New(Options{}).MapTraces(loggedTurn(t), observed)
			ids := map[string]string{}
			for _, r := range alone {
				ids[r.RecordID] = mustJSON(t, r)
			}
			for _, r := range spanRecs {
				if ids[r.RecordID] != mustJSON(t, r) {
					t.Errorf("%s record of span %s is not the one it is without the logs (id %s)", r.Type, r.SpanID, r.RecordID)
				}
			}
			in := ofType(recs, auditrecord.TypeInput)
			if n := len(slices.DeleteFunc(slices.Clone(in), func(r *auditrecord.Record) bool { return r.Input.Content != xsInput })); n != 1 || len(in) != 2 {
				t.Errorf("want the logged input once beside the span's second message, got %s", describe(in))
			}
			tools := ofType(recs, auditrecord.TypeToolCall)
			if len(tools) != 2 {
				t.Errorf("want search_flights and book_flight once each, got %s", describe(tools))
			}
			for _, r := range tools {
				if r.ToolCall.ToolName == "search_flights" && (mustJSON(t, r.ToolCall.Result) != `{"flights":["AF123","BA456"]}` || r.ToolCall.DurationMS == nil) {
					t.Errorf("search_flights lost its result or duration: %s", describe([]*auditrecord.Record{r}))
				}
			}
			errs := ofType(recs, auditrecord.TypeError)
			if len(errs) != 1 || errs[0].Error.Type != "PaymentError" || errs[0].Error.Message != "card declined" {
				t.Errorf("want the PaymentError once, got %s", describe(errs))
			}
			if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 1 || outs[0].Output.Content != xsAnswer {
				t.Errorf("want the answer once, got %s", describe(outs))
			}
			if th := ofType(recs, auditrecord.TypeReasoning); len(th) != 1 {
				t.Errorf("want the thought once, got %s", describe(th))
			}
		})
	}
}

// The same events, reported twice in one log batch: the instrumentation's GenAI event logs
// (gen_ai.user.message, gen_ai.choice) and the OTel logging handler's logger.exception record
// (exception.* attributes) beside the application's AgentLogger lines. One record each, with the
// fields of both.
func TestLoggedTwiceInOneBatchIsOneRecord(t *testing.T) {
	genai := []logSpec{
		{eventName: "gen_ai.user.message", trace: 1, span: 2, at: 10, body: map[string]any{"content": xsInput}},
		{eventName: "gen_ai.choice", trace: 1, span: 4, at: 1900, body: map[string]any{"message": map[string]any{"content": xsAnswer}, "index": int64(0)}},
		{trace: 1, span: 5, at: 1499, severity: plog.SeverityNumberError, sevText: "ERROR", body: "payment failed", attrs: map[string]any{
			"session_id": "sess_abc", "exception.type": "PaymentError", "exception.message": "card declined", "exception.stacktrace": "Traceback: pay()", "tool_name": "book_flight",
		}},
	}
	ld := loggedEvents(t)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	buildLogs(t, nil, "genai", genai...).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().MoveAndAppendTo(lrs)
	recs, _ := mapLogs(t, New(Options{}), ld)
	if in := ofType(recs, auditrecord.TypeInput); len(in) != 1 {
		t.Errorf("want the input once, got %s", describe(in))
	}
	if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 1 || outs[0].Output.Tokens == nil || *outs[0].Output.Tokens.Total != 102 {
		t.Errorf("want the answer once, with the logged tokens, got %s", describe(outs))
	}
	errs := ofType(recs, auditrecord.TypeError)
	if len(errs) != 1 || errs[0].Error.RecoveryAction == "" || errs[0].Error.ToolName != "book_flight" || errs[0].Error.StackTrace == "" {
		t.Errorf("want the PaymentError once, with its tool, stack and recovery action, got %s", describe(errs))
	}
}

// An instrumentation that reports model calls only (no tool spans) asks for search_flights; the
// application logs the execution. The execution is the tool call: when its log was mapped first the
// span's request adds nothing (when the span comes first, the request stands beside it).
func TestLoggedExecutionAnswersTheRequest(t *testing.T) {
	td := loggedTurn(t)
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	spans.RemoveIf(func(s ptrace.Span) bool { return s.Name() != "chat gpt-4o" || s.SpanID() != spanID(2) })
	m := New(Options{})
	logs, _ := m.MapLogs(loggedEvents(t), observed)
	recs, _ := m.MapTraces(td, observed)
	tools := ofType(slices.Concat(logs, recs), auditrecord.TypeToolCall)
	if len(tools) != 1 || tools[0].ToolCall.Status != auditrecord.ToolStatusSuccess || tools[0].ToolCall.Result == nil {
		t.Errorf("want the logged execution only, got %s", describe(tools))
	}
}

// What is not the same event stays two records: the same input in a later turn of the trace, the
// same tool with other parameters, a failure with another message, and logs without trace context.
func TestDistinctEventsAcrossSignalsStayApart(t *testing.T) {
	info := func(trace byte, ms int, doc map[string]any) logSpec {
		doc["session_id"] = "sess_abc"
		return logSpec{trace: trace, span: 1, at: ms, severity: plog.SeverityNumberInfo, body: jsonLine(t, doc)}
	}
	logs := buildLogs(t, map[string]any{"service.name": "flight-agent"}, "agent",
		info(1, 60000, map[string]any{"type": "input", "message": xsInput}),
		info(1, 1360, map[string]any{"type": "tool_call", "tool_name": "search_flights", "parameters": map[string]any{"destination": "London"}}),
		info(1, 1502, map[string]any{"type": "error", "error": map[string]any{"type": "PaymentError", "message": "card expired"}}),
		info(0, 1950, map[string]any{"type": "output", "response": xsAnswer}),
	)
	for _, order := range []string{"spans first", "logs first"} {
		t.Run(order, func(t *testing.T) {
			m := New(Options{})
			var recs []*auditrecord.Record
			if order == "spans first" {
				a, _ := m.MapTraces(loggedTurn(t), observed)
				recs, _ = m.MapLogs(logs, observed)
				recs = append(recs, a...)
			} else {
				b, _ := m.MapLogs(logs, observed)
				recs, _ = m.MapTraces(loggedTurn(t), observed)
				recs = append(recs, b...)
			}
			assertCounts(t, recs, map[auditrecord.Type]int{
				auditrecord.TypeInput: 3, auditrecord.TypeToolCall: 3, auditrecord.TypeError: 2, auditrecord.TypeOutput: 2,
				auditrecord.TypeLLMCall: 2, auditrecord.TypeAgentRun: 1, auditrecord.TypeReasoning: 1,
			})
		})
	}
}

// structlog without trace context beside spans that name the session: a tool call (name and
// parameters) or a failure (type and message) of the session at an overlapping time is the same
// event; an input is not matched by session alone (two turns may both say "yes").
func TestUntracedLogsMeetSpansInTheirSession(t *testing.T) {
	td := loggedTurn(t)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("session.id", "sess_abc")
	ld := loggedEvents(t)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range lrs.Len() {
		lrs.At(i).SetTraceID(pcommon.NewTraceIDEmpty())
		lrs.At(i).SetSpanID(pcommon.NewSpanIDEmpty())
	}
	for _, order := range []string{"spans first", "logs first"} {
		t.Run(order, func(t *testing.T) {
			m := New(Options{})
			var recs []*auditrecord.Record
			if order == "spans first" {
				a, _ := mapTraces(t, m, td)
				b, _ := mapLogs(t, m, ld)
				recs = slices.Concat(a, b)
			} else {
				b, _ := mapLogs(t, m, ld)
				a, _ := mapTraces(t, m, td)
				recs = slices.Concat(b, a)
			}
			assertCounts(t, recs, map[auditrecord.Type]int{
				auditrecord.TypeInput: 3, auditrecord.TypeToolCall: 2, auditrecord.TypeError: 1, auditrecord.TypeOutput: 2,
				auditrecord.TypeLLMCall: 2, auditrecord.TypeAgentRun: 1, auditrecord.TypeReasoning: 2, // untraced text is never a copy
			})
		})
	}
	t.Run("another session", func(t *testing.T) {
		m := New(Options{})
		other := loggedTurn(t)
		other.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("session.id", "sess_other")
		a, _ := m.MapTraces(other, observed)
		b, _ := m.MapLogs(ld, observed)
		if n := len(ofType(slices.Concat(a, b), auditrecord.TypeToolCall)); n != 3 {
			t.Errorf("a tool call of another session is another call: want 3 tool_call records, got %d", n)
		}
	})
}

// retrace moves every span or log record of a batch to trace tr.
func retraceSpans(td ptrace.Traces, tr byte) ptrace.Traces {
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := range spans.Len() {
		spans.At(i).SetTraceID(traceID(tr))
	}
	return td
}

func retraceLogs(ld plog.Logs, tr byte) plog.Logs {
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range lrs.Len() {
		lrs.At(i).SetTraceID(traceID(tr))
	}
	return ld
}

// Tool spans without content capture (no arguments, no result) beside the AgentLogger line that
// has both: once the service is seen reporting its tool calls on both signals, the exporter's wait
// makes the log's record, with parameters and result, the one kept.
func TestLoggedToolCallKeepsItsParametersOverABareSpan(t *testing.T) {
	bare := func(tr byte) ptrace.Traces {
		td := retraceSpans(loggedTurn(t), tr)
		tool := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(2)
		tool.Attributes().Remove("gen_ai.tool.call.arguments")
		tool.Attributes().Remove("gen_ai.tool.call.result")
		return td
	}
	toolKeys := func(m *Mapper, td ptrace.Traces) []AwaitedThought {
		return slices.DeleteFunc(m.ThoughtsAwaited(td), func(a AwaitedThought) bool { return !a.tool })
	}
	m := New(Options{})
	if keys := toolKeys(m, bare(1)); len(keys) != 0 {
		t.Fatalf("a service not seen logging its tool calls is not waited for: %d keys", len(keys))
	}
	// The first turn: spans first, the log's copy is skipped and the service learned.
	m.MapTraces(bare(1), observed)
	m.MapLogs(retraceLogs(loggedEvents(t), 1), observed)

	td := bare(2)
	keys := toolKeys(m, td)
	if len(keys) != 1 || m.WaitForThoughts(t.Context(), keys, time.Millisecond) {
		t.Fatalf("want the bare tool span's logged call awaited (1 key), got %d", len(keys))
	}
	a, _ := m.MapLogs(retraceLogs(loggedEvents(t), 2), observed)
	if !m.WaitForThoughts(t.Context(), keys, time.Second) {
		t.Fatal("the log was mapped, the wait must end")
	}
	b, _ := m.MapTraces(td, observed)
	var searches []*auditrecord.Record
	for _, r := range ofType(slices.Concat(a, b), auditrecord.TypeToolCall) {
		if r.ToolCall.ToolName == "search_flights" {
			searches = append(searches, r)
		}
	}
	if len(searches) != 1 || searches[0].ToolCall.Parameters == nil || searches[0].ToolCall.Result == nil {
		t.Errorf("want one search_flights with the logged parameters and result, got %s", describe(searches))
	}

	// A wait that brings no log stops the waiting until the calls are seen on both signals again.
	keys = toolKeys(m, bare(3))
	if len(keys) != 1 || m.WaitForThoughts(t.Context(), keys, time.Millisecond) {
		t.Fatalf("want one awaited key for the third turn, got %d", len(keys))
	}
	m.NoThoughtsLogged(keys)
	if keys := toolKeys(m, bare(4)); len(keys) != 0 {
		t.Errorf("awaited %d logged tool calls after a wait that brought none", len(keys))
	}
}
