package mapping

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// The deprecated per-message GenAI events as log records (OTel JS/Python OpenAI instrumentation):
// EventName or the event.name attribute, body maps, the whole history re-sent on each call.
func TestGenAIEventLogs(t *testing.T) {
	ld := buildLogs(t, map[string]any{"service.name": "chatbot", "enduser.id": "res-user"}, "@opentelemetry/instrumentation-openai",
		logSpec{eventName: "gen_ai.system.message", trace: 1, span: 1, at: 0, body: map[string]any{"content": "You are a bot."}, attrs: map[string]any{"gen_ai.system": "openai"}},
		logSpec{eventName: "gen_ai.user.message", trace: 1, span: 1, at: 1, body: map[string]any{"content": "Hi there"}, attrs: map[string]any{"gen_ai.system": "openai"}},
		logSpec{
			trace: 1, span: 1, at: 90, attrs: map[string]any{"event.name": "gen_ai.choice", "gen_ai.system": "openai", "gen_ai.response.model": "gpt-4o-mini"},
			body: map[string]any{"index": int64(0), "finish_reason": "tool_calls", "message": map[string]any{
				"role": "assistant", "content": "Checking.",
				"tool_calls": []any{map[string]any{"id": "call_x", "type": "function", "function": map[string]any{"name": "lookup", "arguments": `{"q":"x"}`}}},
			}},
		},
		// The second call re-sends the history: user, assistant with the tool call, tool result.
		logSpec{eventName: "gen_ai.user.message", trace: 1, span: 2, at: 100, body: map[string]any{"content": "Hi there"}},
		logSpec{eventName: "gen_ai.assistant.message", trace: 1, span: 2, at: 100, body: map[string]any{"content": "Checking.", "tool_calls": []any{map[string]any{"id": "call_x", "function": map[string]any{"name": "lookup"}}}}},
		logSpec{eventName: "gen_ai.tool.message", trace: 1, span: 2, at: 100, body: map[string]any{"content": "x found", "id": "call_x"}},
		logSpec{eventName: "gen_ai.choice", trace: 1, span: 2, at: 190, body: map[string]any{"index": int64(0), "finish_reason": "stop", "message": map[string]any{"content": "Found x."}}},
		logSpec{eventName: "http.request", trace: 1, span: 3, at: 5, body: "not a GenAI event"},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeInput: 2, auditrecord.TypeOutput: 2, auditrecord.TypeToolCall: 1})
	if stats.Malformed != 0 || stats.Records[auditrecord.TypeInput] != 2 {
		t.Errorf("stats %+v", stats)
	}
	for _, r := range recs {
		if r.Source.Signal != "logs" || r.UserID != "res-user" || r.Service.Name != "chatbot" {
			t.Errorf("%s: source %+v user %q", r.Type, r.Source, r.UserID)
		}
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0].ToolCall
	// No execution span; the tool message handed a result back to the model, which is kept, but
	// it does not say whether the tool succeeded.
	if tool.Status != "requested" || tool.ToolName != "lookup" || tool.Result != "x found" || mustJSON(t, tool.Parameters) != `{"q":"x"}` {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	if out := ofType(recs, auditrecord.TypeOutput)[0]; out.Output.Model != "gpt-4o-mini" || out.Attributes["event.name"] != nil {
		t.Errorf("output %s", mustJSON(t, out))
	}
	assertGolden(t, "genai_event_logs", recs)
}

// gen_ai.client.inference.operation.details (semconv 1.37+) and our agent.reasoning event, as logs
// with and without trace context.
func TestOperationDetailsAndReasoningLogs(t *testing.T) {
	ld := buildLogs(t, nil, "my-agent",
		logSpec{eventName: "gen_ai.client.inference.operation.details", trace: 2, span: 1, at: 50, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gemini-2.5-flash", "gen_ai.provider.name": "gcp.gemini",
			"gen_ai.usage.input_tokens": int64(1000), "gen_ai.usage.output_tokens": int64(1000), "session.id": "s-logs",
			"gen_ai.system_instructions": `[{"type":"text","content":"Plan first."}]`,
			"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"Plan my day"}]}]`,
			"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"reasoning","content":"User wants a schedule."},{"type":"text","content":"9am: gym"}],"finish_reason":"stop"}]`,
		}},
		logSpec{eventName: "agent.reasoning", trace: 2, span: 1, at: 60, body: map[string]any{
			"thought": "Calendar is empty", "plan": []any{"check calendar", "propose schedule"}, "confidence": 0.8,
		}},
		logSpec{at: 70, attrs: map[string]any{
			"event.name": "agent.reasoning", "agent.reasoning.thought": "no trace context",
			"agent.reasoning.plan": `["a","b"]`, "agent.reasoning.confidence": "0.5", "user.id": "u-9",
		}},
		logSpec{at: 80, attrs: map[string]any{"event.name": "agent.reasoning"}, body: map[string]any{"thought": "overconfident", "confidence": int64(85)}},
	)
	recs, stats := mapLogs(t, New(Options{}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeInput: 2, auditrecord.TypeOutput: 1, auditrecord.TypeReasoning: 4})
	if stats.Malformed != 1 {
		t.Errorf("malformed %d, want 1 (confidence 85 is outside 0..1)", stats.Malformed)
	}
	out := ofType(recs, auditrecord.TypeOutput)[0].Output
	// gemini-2.5-flash: 1000 × 0.30/M + 1000 × 2.50/M.
	if out.Content != "9am: gym" || out.Cost == nil || *out.Cost != 0.0028 || out.CostSource != "price_table" {
		t.Errorf("output %s", mustJSON(t, out))
	}
	var untraced *auditrecord.Record
	for _, r := range ofType(recs, auditrecord.TypeReasoning) {
		if r.TraceID == "" && r.Reasoning.Thought == "no trace context" {
			untraced = r
		}
	}
	if untraced == nil || mustJSON(t, untraced.Reasoning.Plan) != `["a","b"]` || *untraced.Reasoning.Confidence != 0.5 || untraced.UserID != "u-9" {
		t.Fatalf("untraced reasoning %s", mustJSON(t, untraced))
	}
	assertGolden(t, "operation_details_reasoning_logs", recs)
}

// Log records without trace context get ids from their timestamp and content; identical batches
// give identical ids and two different logs at the same instant do not collide.
func TestUntracedLogIDs(t *testing.T) {
	ld := buildLogs(t, nil, "",
		logSpec{eventName: "gen_ai.user.message", at: 5, body: map[string]any{"content": "a"}},
		logSpec{eventName: "gen_ai.user.message", at: 5, body: map[string]any{"content": "b"}},
		logSpec{eventName: "gen_ai.user.message", at: 5, body: map[string]any{"content": "a"}, attrs: map[string]any{"session.id": "other"}},
	)
	recs, _ := mapLogs(t, New(Options{}), ld)
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3 (untraced logs are not deduplicated against each other)", len(recs))
	}
}

// The OTel JS OpenAI instrumentation puts model and tokens on the chat span and the response in a
// gen_ai.choice log; tools run in their own spans. Logs mapped after the spans (same Mapper)
// borrow from them; logs mapped first still yield records with the same ids.
func TestLogsJoinSpansMappedBefore(t *testing.T) {
	td := buildTraces(t, resourceSpec{spans: []spanSpec{
		{name: "chat gpt-4o", id: 1, start: 0, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
			"gen_ai.usage.input_tokens": int64(10), "gen_ai.usage.output_tokens": int64(4),
		}},
		{name: "execute_tool lookup", id: 2, start: 110, end: 120, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup", "gen_ai.tool.call.id": "call_2",
		}},
	}})
	ld := buildLogs(t, nil, "@opentelemetry/instrumentation-openai",
		logSpec{eventName: "gen_ai.choice", trace: 1, span: 1, at: 99, body: map[string]any{
			"index": int64(0), "finish_reason": "tool_calls",
			"message": map[string]any{"content": "On it.", "tool_calls": []any{
				map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "never_ran", "arguments": "{}"}},
				map[string]any{"id": "call_2", "type": "function", "function": map[string]any{"name": "lookup", "arguments": "{}"}},
			}},
		}},
	)
	cold, _ := mapLogs(t, New(Options{}), ld)

	m := New(Options{})
	mapTraces(t, m, td)
	warm, _ := mapLogs(t, m, ld)

	out := ofType(warm, auditrecord.TypeOutput)[0].Output
	if out.Model != "gpt-4o" || out.Tokens == nil || *out.Tokens.Input != 10 || out.Cost == nil {
		t.Errorf("output not enriched from its span: %s", mustJSON(t, out))
	}
	tools := ofType(warm, auditrecord.TypeToolCall)
	if len(tools) != 1 || tools[0].ToolCall.CallID != "call_1" || tools[0].ToolCall.Status != "requested" {
		t.Errorf("want only the never executed call requested: %s", mustJSON(t, tools))
	}
	if len(ofType(cold, auditrecord.TypeToolCall)) != 2 || ofType(cold, auditrecord.TypeOutput)[0].Output.Model != "" {
		t.Errorf("cold mapping %s", mustJSON(t, cold))
	}
	ids := map[string]bool{}
	for _, r := range cold {
		ids[r.RecordID] = true
	}
	for _, r := range warm {
		if !ids[r.RecordID] {
			t.Errorf("%s record %s: id depends on what the Mapper saw before", r.Type, r.RecordID)
		}
	}
}

// The exporter maps traces and logs from several goroutines with one Mapper.
func TestMapperIsSafeForConcurrentUse(t *testing.T) {
	m := New(Options{})
	td := genAITrace(t)
	ld := buildLogs(t, nil, "", logSpec{eventName: "gen_ai.choice", trace: 1, span: 2, at: 1, body: map[string]any{"message": map[string]any{"content": "x"}}})
	want, _ := m.MapTraces(td, observed)
	done := make(chan []int, 4)
	for range 4 {
		go func() {
			var n []int
			for range 20 {
				recs, _ := m.MapTraces(td, observed)
				logs, _ := m.MapLogs(ld, observed)
				n = append(n, len(recs), len(logs))
			}
			done <- n
		}()
	}
	for range 4 {
		for i, n := range <-done {
			if i%2 == 0 && n != len(want) {
				t.Fatalf("concurrent mapping gave %d records, want %d", n, len(want))
			}
		}
	}
}
