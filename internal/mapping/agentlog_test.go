package mapping

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// The shapes "Audit Trails for Agents" teaches, as the OpenTelemetry logging handler forwards them:
// no trace context, the event as a JSON line (or a map, or logging's extra= attributes).

func jsonLine(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// handlerAttrs are what the OTel Python logging handler adds to every record.
var handlerAttrs = map[string]any{"code.filepath": "agent.py", "code.function": "log_tool_call", "code.lineno": int64(42)}

func withHandler(extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range handlerAttrs {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// assertAgentTrail checks what every shape must give: each record in session sess with user user.
func assertAgentTrail(t *testing.T, recs []*auditrecord.Record, sess, user string) {
	t.Helper()
	for _, r := range recs {
		if r.SessionID != sess || r.UserID != user || r.Source.Signal != "logs" || r.Source.Convention != convAgentLog {
			t.Errorf("%s: session %q user %q source %+v", r.Type, r.SessionID, r.UserID, r.Source)
		}
	}
}

// The document's AgentLogger class as written: logger.info(json.dumps({...})).
func TestAgentLoggerFlat(t *testing.T) {
	ld := buildLogs(t, map[string]any{"service.name": "flight-agent"}, "agent.sess_abc123",
		logSpec{at: 0, sevText: "INFO", severity: plog.SeverityNumberInfo, attrs: handlerAttrs, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:00", "session_id": "sess_abc123", "user_id": "user_456", "type": "input", "message": "Book a flight to Paris",
		})},
		logSpec{at: 1300, sevText: "INFO", severity: plog.SeverityNumberInfo, attrs: handlerAttrs, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:02", "session_id": "sess_abc123", "type": "tool_call", "tool_name": "search_flights",
			"parameters": map[string]any{"destination": "Paris", "departure_date": "2024-02-01"},
			"result":     map[string]any{"status": "success", "flights": []any{"AF123", "BA456"}}, "duration_ms": 1250,
		})},
		logSpec{at: 2000, sevText: "INFO", severity: plog.SeverityNumberInfo, attrs: handlerAttrs, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:03", "session_id": "sess_abc123", "type": "output", "response": "I found 5 flights...", "tokens_used": 150, "cost": 0.0045,
		})},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeInput: 1, auditrecord.TypeToolCall: 1, auditrecord.TypeOutput: 1})
	if stats.Malformed != 0 || stats.Unmatched != 0 {
		t.Errorf("stats %+v", stats)
	}
	assertAgentTrail(t, recs, "sess_abc123", "user_456")
	in := ofType(recs, auditrecord.TypeInput)[0]
	if in.Input.Content != "Book a flight to Paris" || in.Input.Role != "user" || in.Attributes["log.severity"] != "INFO" || in.Attributes["code.lineno"] != int64(42) {
		t.Errorf("input %s", mustJSON(t, in))
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0]
	if tool.ToolCall.ToolName != "search_flights" || tool.ToolCall.Status != "success" || *tool.ToolCall.DurationMS != 1250 ||
		mustJSON(t, tool.ToolCall.Parameters) != `{"departure_date":"2024-02-01","destination":"Paris"}` ||
		mustJSON(t, tool.ToolCall.Result) != `{"flights":["AF123","BA456"],"status":"success"}` || !tool.Timestamp.Equal(baseTime.Add(1300e6)) {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	out := ofType(recs, auditrecord.TypeOutput)[0].Output
	if out.Content != "I found 5 flights..." || *out.Tokens.Total != 150 || *out.Cost != 0.0045 || out.CostSource != "telemetry" {
		t.Errorf("output %s", mustJSON(t, out))
	}
	assertGolden(t, "agentlog_flat", recs)
}

// The document's "What to Log" objects, one per event, as JSON lines.
func TestAgentLoggerNested(t *testing.T) {
	ld := buildLogs(t, nil, "agent",
		logSpec{noTime: true, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:00Z", "session_id": "sess_abc123", "user_id": "user_456",
			"input": map[string]any{"type": "user_message", "content": "Book a flight to Paris", "metadata": map[string]any{"source": "web_chat"}},
		})},
		logSpec{noTime: true, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:01Z", "session_id": "sess_abc123",
			"reasoning": map[string]any{"thought": "User wants to book a flight.", "plan": []any{"Search for flights to Paris", "Present options", "Book"}, "confidence": 0.95},
		})},
		logSpec{noTime: true, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:02Z", "session_id": "sess_abc123",
			"tool_call": map[string]any{"tool_name": "search_flights", "parameters": map[string]any{"destination": "Paris"}, "result": map[string]any{"status": "success"}, "duration_ms": 1250},
		})},
		logSpec{noTime: true, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:03Z", "session_id": "sess_abc123",
			"output": map[string]any{"type": "agent_response", "content": "I found 5 flights to Paris.", "metadata": map[string]any{"tokens_used": 150, "model": "gpt-4", "cost": 0.0045}},
		})},
		logSpec{noTime: true, body: jsonLine(t, map[string]any{
			"timestamp": "2024-01-16T12:00:04Z", "session_id": "sess_abc123",
			"error": map[string]any{"type": "ToolExecutionError", "tool_name": "book_flight", "message": "Payment API timeout", "stack_trace": "Traceback ...", "recovery_action": "Retry with exponential backoff"},
		})},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeInput: 1, auditrecord.TypeReasoning: 1, auditrecord.TypeToolCall: 1, auditrecord.TypeOutput: 1, auditrecord.TypeError: 1})
	if stats.Malformed != 0 {
		t.Errorf("stats %+v", stats)
	}
	assertAgentTrail(t, recs, "sess_abc123", "user_456")
	if in := ofType(recs, auditrecord.TypeInput)[0]; in.Input.Content != "Book a flight to Paris" || in.Timestamp.Format("15:04:05") != "12:00:00" || in.Attributes["source"] != "web_chat" {
		t.Errorf("input %s", mustJSON(t, in))
	}
	if r := ofType(recs, auditrecord.TypeReasoning)[0].Reasoning; r.Thought != "User wants to book a flight." || len(r.Plan) != 3 || *r.Confidence != 0.95 {
		t.Errorf("reasoning %s", mustJSON(t, r))
	}
	if out := ofType(recs, auditrecord.TypeOutput)[0].Output; out.Model != "gpt-4" || *out.Tokens.Total != 150 || out.Content != "I found 5 flights to Paris." {
		t.Errorf("output %s", mustJSON(t, out))
	}
	e := ofType(recs, auditrecord.TypeError)[0].Error
	if e.Type != "ToolExecutionError" || e.ToolName != "book_flight" || e.Message != "Payment API timeout" || e.StackTrace != "Traceback ..." || e.RecoveryAction != "Retry with exponential backoff" {
		t.Errorf("error %s", mustJSON(t, e))
	}
	assertGolden(t, "agentlog_nested", recs)
}

// structlog's JSON renderer (TimeStamper + JSONRenderer): the event type is structlog's "event",
// the time its ISO "timestamp"; no trace context, no record timestamp.
func TestStructlogJSON(t *testing.T) {
	ld := buildLogs(t, nil, "structlog",
		logSpec{noTime: true, body: `{"event": "user_input", "session_id": "s-struct", "userId": "u-9", "content": "What is the weather in Oslo?", "level": "info", "timestamp": "2026-01-15T10:00:00.100000Z"}`},
		logSpec{noTime: true, body: `{"event": "Thought", "session_id": "s-struct", "thought": "I should call the weather tool.", "level": "info", "timestamp": "2026-01-15T10:00:00.200000Z"}`},
		logSpec{noTime: true, body: `{"event": "tool_call", "session_id": "s-struct", "tool_name": "get_weather", "arguments": {"city": "Oslo"}, "output": "-3C, snow", "latency_ms": 310.5, "level": "info", "timestamp": "2026-01-15T10:00:00.600000Z"}`},
		logSpec{noTime: true, body: `{"event": "Final-Answer", "session_id": "s-struct", "answer": "It is -3C and snowing in Oslo.", "model": "gpt-4o-mini", "usage": {"prompt_tokens": 120, "completion_tokens": 14}, "level": "info", "timestamp": 1768471201.5}`},
		logSpec{noTime: true, body: `{"event": "HTTP Request: POST https://api.openai.com/v1/chat/completions", "level": "info", "timestamp": "2026-01-15T10:00:00.700000Z"}`},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeInput: 1, auditrecord.TypeReasoning: 1, auditrecord.TypeToolCall: 1, auditrecord.TypeOutput: 1})
	if stats.Unmatched != 1 {
		t.Errorf("unmatched %d, want the HTTP line", stats.Unmatched)
	}
	assertAgentTrail(t, recs, "s-struct", "u-9")
	tool := ofType(recs, auditrecord.TypeToolCall)[0]
	if tool.ToolCall.Result != "-3C, snow" || *tool.ToolCall.DurationMS != 310.5 || tool.Timestamp.Format("05.000") != "00.600" {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	out := ofType(recs, auditrecord.TypeOutput)[0]
	// gpt-4o-mini from the price table; the epoch timestamp in seconds.
	if out.Output.Model != "gpt-4o-mini" || *out.Output.Tokens.Total != 134 || out.Output.CostSource != "price_table" || out.Timestamp.Unix() != 1768471201 {
		t.Errorf("output %s", mustJSON(t, out))
	}
	assertGolden(t, "agentlog_structlog", recs)
}

// logging with extra= attributes: the message names the event, the attributes carry its fields
// (the OTel handler turns dict values into nothing, so teams pass JSON strings); an exception
// logged at ERROR inside the session is an error without any event type.
func TestLoggingExtraAttributes(t *testing.T) {
	ld := buildLogs(t, nil, "agent",
		logSpec{at: 0, severity: plog.SeverityNumberInfo, body: "user_input", attrs: withHandler(map[string]any{"session_id": "s-extra", "user_id": "u-1", "message": "Cancel my order 1234"})},
		logSpec{at: 100, severity: plog.SeverityNumberInfo, body: "tool_call", attrs: withHandler(map[string]any{"session_id": "s-extra", "tool_name": "cancel_order", "parameters": `{"order_id": 1234}`, "result": `{"cancelled": true}`, "duration_ms": int64(80)})},
		logSpec{at: 150, severity: plog.SeverityNumberError, sevText: "ERROR", body: "refund failed", attrs: withHandler(map[string]any{
			"session_id":     "s-extra",
			"exception.type": "TimeoutError", "exception.message": "refund service timed out", "exception.stacktrace": "Traceback (most recent call last): ...",
		})},
		logSpec{at: 200, severity: plog.SeverityNumberInfo, body: "final_answer", attrs: withHandler(map[string]any{"session_id": "s-extra", "response": "Order 1234 is cancelled; the refund is delayed.", "model": "claude-sonnet-4", "input_tokens": int64(300), "output_tokens": int64(20)})},
		// Noise: a plain message naming an event type without any session is not an agent event,
		// nor is an error with an exception outside any session.
		logSpec{at: 210, severity: plog.SeverityNumberInfo, body: "output"},
		logSpec{at: 220, severity: plog.SeverityNumberError, body: "db down", attrs: map[string]any{"exception.type": "OperationalError"}},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeInput: 1, auditrecord.TypeToolCall: 1, auditrecord.TypeOutput: 1, auditrecord.TypeError: 1})
	if stats.Unmatched != 2 || stats.Malformed != 0 {
		t.Errorf("stats %+v", stats)
	}
	assertAgentTrail(t, recs, "s-extra", "u-1")
	if tool := ofType(recs, auditrecord.TypeToolCall)[0].ToolCall; mustJSON(t, tool.Parameters) != `{"order_id":1234}` || mustJSON(t, tool.Result) != `{"cancelled":true}` {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	if e := ofType(recs, auditrecord.TypeError)[0].Error; e.Type != "TimeoutError" || e.Message != "refund service timed out" || e.StackTrace == "" {
		t.Errorf("error %s", mustJSON(t, e))
	}
	if in := ofType(recs, auditrecord.TypeInput)[0].Input; in.Content != "Cancel my order 1234" {
		t.Errorf("input %s", mustJSON(t, in))
	}
	assertGolden(t, "agentlog_extra", recs)
}

// Event type spellings and the members that name it, case and separator insensitive.
func TestAgentLogEventTypeVariants(t *testing.T) {
	cases := []struct {
		doc  string
		want auditrecord.Type
	}{
		{`{"event_type": "USER_INPUT", "session_id": "s", "text": "hi"}`, auditrecord.TypeInput},
		{`{"type": "input", "sessionId": "s", "message": "hi"}`, auditrecord.TypeInput},
		{`{"event": "thought", "session.id": "s", "content": "hmm"}`, auditrecord.TypeReasoning},
		{`{"event.name": "Tool-Call", "conversation_id": "s", "tool": "calc", "args": {"x": 1}}`, auditrecord.TypeToolCall},
		{`{"kind": "tool_result", "session_id": "s", "tool_name": "calc", "result": 2}`, auditrecord.TypeToolCall},
		{`{"kind": "final answer", "session_id": "s", "output": "2"}`, auditrecord.TypeOutput},
		{`{"type": "Error", "session_id": "s", "error": "boom"}`, auditrecord.TypeError},
	}
	for _, c := range cases {
		ld := buildLogs(t, nil, "x", logSpec{at: 1, body: c.doc})
		recs, _ := mapLogs(t, New(Options{}), ld)
		if len(recs) != 1 || recs[0].Type != c.want || recs[0].SessionID != "s" {
			t.Errorf("%s: got %s", c.doc, mustJSON(t, recs))
		}
	}
}

// A failed tool call (success false and an error message) is a tool_call in error and an error
// record naming the tool.
func TestAgentLogFailedTool(t *testing.T) {
	ld := buildLogs(t, nil, "x", logSpec{at: 5, body: map[string]any{
		"type": "tool_call", "session_id": "s", "tool_name": "pay", "parameters": map[string]any{"amount": 10}, "success": false, "error": "card declined",
	}})
	recs, _ := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeToolCall: 1, auditrecord.TypeError: 1})
	tool := ofType(recs, auditrecord.TypeToolCall)[0]
	e := ofType(recs, auditrecord.TypeError)[0].Error
	if tool.ToolCall.Status != "error" || tool.ToolCall.Result != "card declined" || e.ToolName != "pay" || e.Message != "card declined" || e.RelatedRecordID != tool.RecordID {
		t.Errorf("tool %s error %s", mustJSON(t, tool), mustJSON(t, e))
	}
}

// A body that starts like a JSON object but is none (cut, or broken) is an application's event line, broken: it
// makes no record and is counted as malformed as well as unmatched; a plain text line only as
// unmatched.
func TestLogBodyShapes(t *testing.T) {
	ld := buildLogs(t, nil, "x",
		logSpec{at: 1, body: `{"type": "input", "session_id": "s", "message": "hi"`},
		logSpec{at: 2, body: `{"type": "input", "session_id": "s", "message": "hi" oops}`},
		logSpec{at: 3, body: "GET /health 200"},
		// logging.basicConfig's formatter puts "LEVEL:logger:" before the JSON line: still an event.
		logSpec{at: 4, body: `INFO:agent:{"type": "input", "session_id": "s", "message": "hi"}`},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	if len(recs) != 1 || stats.Unmatched != 3 || stats.Malformed != 2 {
		t.Errorf("records %d stats %+v, want 1 record and 3 unmatched of which 2 malformed", len(recs), stats)
	}
	if len(recs) == 0 {
		return
	}
	if in := recs[0]; in.Type != auditrecord.TypeInput || in.Input.Content != "hi" || in.Attributes["log.prefix"] != "INFO:agent:" {
		t.Errorf("prefixed line %s", mustJSON(t, in))
	}
}
