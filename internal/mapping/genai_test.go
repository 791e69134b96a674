package mapping

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

var travelResource = map[string]any{
	"service.name": "travel-agent", "service.version": "1.2.0", "service.instance.id": "pod-7",
}

// genAITrace is a typical agent turn in GenAI semconv 1.37: invoke_agent → chat (asks for a tool,
// with reasoning) → execute_tool → chat (final answer). The first chat carries messages as
// structured AnyValues, the rest as JSON strings.
func genAITrace(t testing.TB) ptrace.Traces {
	return buildTraces(t, resourceSpec{attrs: travelResource, scope: "opentelemetry.instrumentation.openai_agents", spans: []spanSpec{
		{name: "invoke_agent TravelAgent", id: 1, start: 0, end: 5000, status: ptrace.StatusCodeOk, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "TravelAgent", "gen_ai.agent.id": "asst_1",
			"gen_ai.provider.name": "openai", "session.id": "sess-1", "user.id": "user-42", "app.tenant": "acme",
			"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"Book me a flight to Paris"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Booked AF123 for you."}],"finish_reason":"stop"}]`,
		}},
		{name: "chat gpt-4o", id: 2, parent: 1, start: 100, end: 1100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
			"gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
			"gen_ai.usage.input_tokens": int64(100), "gen_ai.usage.output_tokens": int64(20),
			"gen_ai.response.finish_reasons": []any{"tool_call"}, "gen_ai.response.id": "chatcmpl-1",
			"gen_ai.system_instructions": []any{map[string]any{"type": "text", "content": "You are a travel agent."}},
			"gen_ai.input.messages": []any{
				map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": "Book me a flight to Paris"}}},
			},
			"gen_ai.output.messages": []any{map[string]any{"role": "assistant", "parts": []any{
				map[string]any{"type": "reasoning", "content": "I need flight options first."},
				map[string]any{"type": "tool_call", "id": "call_1", "name": "search_flights", "arguments": map[string]any{"destination": "Paris"}},
			}}},
		}},
		{name: "execute_tool search_flights", id: 3, parent: 1, start: 1200, end: 1450, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search_flights", "gen_ai.tool.call.id": "call_1",
			"gen_ai.tool.type": "function", "gen_ai.tool.call.arguments": `{"destination":"Paris"}`,
			"gen_ai.tool.call.result": `{"flights":["AF123"]}`,
		}},
		{name: "chat gpt-4o", id: 4, parent: 1, start: 1500, end: 4900, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
			"gen_ai.usage.input_tokens": int64(150), "gen_ai.usage.output_tokens": int64(10),
			"gen_ai.system_instructions": `[{"type":"text","content":"You are a travel agent."}]`,
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Book me a flight to Paris"}]},` +
				`{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"search_flights","arguments":{"destination":"Paris"}}]},` +
				`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":{"flights":["AF123"]}}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Booked AF123 for you."}],"finish_reason":"stop"}]`,
		}},
	}})
}

func TestGenAISemconvTrace(t *testing.T) {
	recs, stats := mapTraces(t, New(Options{}), genAITrace(t))
	assertCounts(t, recs, map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 2,
		auditrecord.TypeOutput: 1, auditrecord.TypeReasoning: 1, auditrecord.TypeToolCall: 1,
	})
	if stats.Malformed != 0 || stats.Truncated != 0 || stats.Records[auditrecord.TypeLLMCall] != 2 {
		t.Errorf("stats = %+v", stats)
	}
	for _, r := range recs {
		if r.SessionID != "sess-1" || r.UserID != "user-42" {
			t.Errorf("%s record %s: session %q user %q, want inherited sess-1/user-42", r.Type, r.SpanID, r.SessionID, r.UserID)
		}
		if r.Agent == nil || r.Agent.Name != "TravelAgent" || r.Agent.ID != "asst_1" {
			t.Errorf("%s record: agent %+v", r.Type, r.Agent)
		}
		if r.Service == nil || *r.Service != (auditrecord.Service{Name: "travel-agent", Instance: "pod-7", Version: "1.2.0"}) {
			t.Errorf("service %+v", r.Service)
		}
	}
	run := ofType(recs, auditrecord.TypeAgentRun)[0]
	if want := auditrecord.NewRecordID(hexTrace(1), hexSpan(1), "agent_run", "0"); run.RecordID != want {
		t.Errorf("agent_run id %s, want %s", run.RecordID, want)
	}
	if run.Attributes["app.tenant"] != "acme" || run.Attributes["session.id"] != nil || run.Attributes["gen_ai.input.messages"] != nil {
		t.Errorf("agent_run attributes %v: want only unconsumed ones", run.Attributes)
	}
	// The first model call only asked for a tool: no output record, its cost on its llm_call.
	if outs := ofType(recs, auditrecord.TypeOutput); outs[0].Output.Content != "Booked AF123 for you." {
		t.Errorf("outputs %s", mustJSON(t, outs))
	}
	// gpt-4o-2024-08-06 is priced as gpt-4o: 100 × 2.50/M + 20 × 10/M.
	if call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall; call.Cost == nil || *call.Cost != 0.00045 || call.CostSource != "price_table" {
		t.Errorf("cost %v %q", call.Cost, call.CostSource)
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0]
	if tool.ToolCall.Status != "success" || tool.ToolCall.CallID != "call_1" || mustJSON(t, tool.ToolCall.Result) != `{"flights":["AF123"]}` {
		t.Errorf("tool call %s", mustJSON(t, tool.ToolCall))
	}
	if !tool.Timestamp.Equal(at(1450).AsTime()) {
		t.Errorf("tool call timestamp %v, want the span end", tool.Timestamp)
	}
	assertGolden(t, "genai_semconv", recs)
}

// A two-turn conversation in one trace: the second chat span re-sends the first user message.
func TestSecondTurnDoesNotRepeatInputs(t *testing.T) {
	td := buildTraces(t, resourceSpec{spans: []spanSpec{
		{name: "chat", id: 1, start: 0, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
			"gen_ai.input.messages":  `[{"role":"system","parts":[{"type":"text","content":"Be terse."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello."}]}]`,
		}},
		{name: "chat", id: 2, start: 200, end: 300, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
			"gen_ai.input.messages": `[{"role":"system","parts":[{"type":"text","content":"Be terse."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]},` +
				`{"role":"assistant","parts":[{"type":"text","content":"Hello."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello again."}]}]`,
		}},
		{name: "chat", id: 3, start: 400, end: 500, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
			"gen_ai.input.messages": `[{"role":"system","parts":[{"type":"text","content":"Be terse."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]},` +
				`{"role":"assistant","parts":[{"type":"text","content":"Hello."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]},` +
				`{"role":"assistant","parts":[{"type":"text","content":"Hello again."}]},{"role":"user","parts":[{"type":"text","content":"What is 2+2?"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"4"}]}]`,
		}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	var got []string
	for _, r := range ofType(recs, auditrecord.TypeInput) {
		got = append(got, r.Input.Role+":"+r.Input.Content+"@"+r.SpanID)
	}
	want := []string{"system:Be terse.@" + hexSpan(1), "user:Hi@" + hexSpan(1), "user:What is 2+2?@" + hexSpan(3)}
	if mustJSON(t, got) != mustJSON(t, want) {
		t.Errorf("inputs %v, want %v", got, want)
	}
	if n := len(ofType(recs, auditrecord.TypeOutput)); n != 3 {
		t.Errorf("%d outputs, want one per model response (3)", n)
	}
}

// A tool the model asked for but whose execution is not in the batch; and a tool that failed, whose
// error propagated to the model call.
func TestGenAIRequestedAndFailedTools(t *testing.T) {
	td := buildTraces(t, resourceSpec{spans: []spanSpec{
		{name: "chat", id: 1, start: 0, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4-20250514", "gen_ai.provider.name": "anthropic",
			"gen_ai.usage.input_tokens": int64(1000), "gen_ai.usage.output_tokens": int64(100), "gen_ai.usage.cost": 0.5,
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Weather and stock?"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[` +
				`{"type":"tool_call","id":"call_w","name":"get_weather","arguments":{"city":"Oslo"}},` +
				`{"type":"tool_call","id":"call_s","name":"get_stock","arguments":{"ticker":"ACME"}}]}]`,
		}},
		{
			name: "execute_tool get_stock", id: 2, parent: 0, start: 150, end: 180, status: ptrace.StatusCodeError, statusMsg: "upstream 503",
			attrs:  map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_stock", "gen_ai.tool.call.id": "call_s", "error.type": "HTTPError"},
			events: []eventSpec{{name: "exception", at: 179, attrs: map[string]any{"exception.type": "HTTPError", "exception.message": "upstream 503", "exception.stacktrace": "at fetch()"}}},
		},
		{name: "chat", id: 3, start: 200, end: 250, status: ptrace.StatusCodeError, statusMsg: "upstream 503", attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4", "error.type": "HTTPError",
		}, events: []eventSpec{{name: "exception", at: 249, attrs: map[string]any{"exception.type": "HTTPError", "exception.message": "upstream 503"}}}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	tools := ofType(recs, auditrecord.TypeToolCall)
	if len(tools) != 2 {
		t.Fatalf("tool calls %s", mustJSON(t, tools))
	}
	byName := map[string]*auditrecord.Record{}
	for _, r := range tools {
		byName[r.ToolCall.ToolName] = r
	}
	if w := byName["get_weather"]; w == nil || w.ToolCall.Status != "requested" || w.ToolCall.CallID != "call_w" || w.SpanID != hexSpan(1) {
		t.Errorf("requested tool %s", mustJSON(t, w))
	}
	s := byName["get_stock"]
	if s == nil || s.ToolCall.Status != "error" || s.ToolCall.Result != "upstream 503" || s.SpanID != hexSpan(2) {
		t.Errorf("failed tool %s", mustJSON(t, s))
	}
	errs := ofType(recs, auditrecord.TypeError)
	if len(errs) != 1 {
		t.Fatalf("want the propagated failure recorded once, got %s", mustJSON(t, errs))
	}
	e := errs[0].Error
	if e.Type != "HTTPError" || e.ToolName != "get_stock" || e.RelatedRecordID != s.RecordID || e.StackTrace != "at fetch()" {
		t.Errorf("error %s", mustJSON(t, e))
	}
	if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 0 {
		t.Errorf("the model call only asked for tools, yet outputs %s", mustJSON(t, outs))
	}
	if call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall; call.Cost == nil || *call.Cost != 0.5 || call.CostSource != "telemetry" || *call.Tokens.Total != 1100 {
		t.Errorf("llm_call %s", mustJSON(t, call))
	}
	assertGolden(t, "genai_tools", recs)
}

// The deprecated GenAI forms: gen_ai.system, prompt/completion token names, per-message span events
// and gen_ai.content.prompt.
func TestGenAIDeprecatedSpanEvents(t *testing.T) {
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "legacy"}, scope: "opentelemetry.instrumentation.openai", spans: []spanSpec{
		{name: "openai.chat", id: 1, start: 0, end: 400, attrs: map[string]any{
			"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini",
			"gen_ai.usage.prompt_tokens": "12", "gen_ai.usage.completion_tokens": int64(3),
		}, events: []eventSpec{
			{name: "gen_ai.system.message", at: 1, attrs: map[string]any{"content": "You are helpful."}},
			{name: "gen_ai.user.message", at: 2, attrs: map[string]any{"content": "Say hi"}},
			{name: "gen_ai.choice", at: 399, attrs: map[string]any{"index": int64(0), "finish_reason": "stop", "message": `{"role":"assistant","content":"hi"}`}},
		}},
		{
			name: "openai.chat", id: 2, start: 500, end: 600, attrs: map[string]any{"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini"},
			events: []eventSpec{
				{name: "gen_ai.content.prompt", at: 501, attrs: map[string]any{"gen_ai.prompt": `[{"role":"user","content":"Say hi"},{"role":"assistant","content":"hi"},{"role":"user","content":"Again"}]`}},
				{name: "gen_ai.content.completion", at: 599, attrs: map[string]any{"gen_ai.completion": `[{"role":"assistant","content":"hi again"}]`}},
			},
		},
	}})
	recs, stats := mapTraces(t, New(Options{}), td)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 3, auditrecord.TypeOutput: 2})
	if stats.Malformed != 0 {
		t.Errorf("malformed %d", stats.Malformed)
	}
	llm := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall
	if llm.Provider != "openai" || *llm.Tokens.Input != 12 || *llm.Tokens.Total != 15 || llm.Operation != "chat" {
		t.Errorf("llm_call %s", mustJSON(t, llm))
	}
	assertGolden(t, "genai_deprecated_events", recs)
}

// gen_ai.client.inference.operation.details as a span event adds content to its chat span without
// wiping what the span's own attributes said.
func TestOperationDetailsSpanEvent(t *testing.T) {
	s := chatSpan(map[string]any{"gen_ai.usage.input_tokens": int64(7), "gen_ai.usage.output_tokens": int64(2)})
	s.events = []eventSpec{{name: "gen_ai.client.inference.operation.details", at: 9, attrs: map[string]any{
		"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"ping"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"pong"}]}]`,
	}}}
	recs, _ := oneSpan(t, Options{}, s)
	out := ofType(recs, auditrecord.TypeOutput)
	in := ofType(recs, auditrecord.TypeInput)
	if len(out) != 1 || out[0].Output.Content != "pong" || *out[0].Output.Tokens.Input != 7 || out[0].Output.Model != "gpt-4o" || len(in) != 1 || in[0].Input.Content != "ping" {
		t.Errorf("records %s", mustJSON(t, recs))
	}
}

// Each turn of a conversation is its own trace and re-sends the history; the earlier user turn is
// not recorded again in the later trace.
func TestLaterTurnTraceDoesNotRepeatEarlierTurn(t *testing.T) {
	td := buildTraces(t, resourceSpec{spans: []spanSpec{
		{name: "chat", trace: 1, id: 1, start: 0, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.conversation.id": "c1",
			"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello."}]}]`,
		}},
		{name: "chat", trace: 2, id: 2, start: 60000, end: 60100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.conversation.id": "c1",
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Hi"}]},{"role":"assistant","parts":[{"type":"text","content":"Hello."}]},` +
				`{"role":"user","parts":[{"type":"text","content":"Bye"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Bye."}]}]`,
		}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	var got []string
	for _, r := range ofType(recs, auditrecord.TypeInput) {
		got = append(got, r.Input.Content+"@"+r.TraceID[:2])
	}
	if mustJSON(t, got) != `["Hi@01","Bye@02"]` {
		t.Errorf("inputs %v", got)
	}
}
