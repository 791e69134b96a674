package mapping

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

func TestOpenInferenceTrace(t *testing.T) {
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "calc-agent"}, scope: "openinference.instrumentation.langchain", spans: []spanSpec{
		{name: "AgentExecutor", id: 1, start: 0, end: 3000, attrs: map[string]any{
			"openinference.span.kind": "AGENT", "input.value": "What is 2+2?", "input.mime_type": "text/plain",
			"output.value": "2+2 is 4.", "metadata": `{"sessionId":"oi-sess","tenant":"acme"}`, "agent.name": "calc",
		}},
		{name: "ChatOpenAI", id: 2, parent: 1, start: 100, end: 900, attrs: map[string]any{
			"openinference.span.kind": "LLM", "llm.model_name": "gpt-4.1-mini", "llm.provider": "openai",
			"llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "You calculate.",
			"llm.input_messages.1.message.role": "user", "llm.input_messages.1.message.content": "What is 2+2?",
			"llm.output_messages.0.message.role":                                      "assistant",
			"llm.output_messages.0.message.tool_calls.0.tool_call.id":                 "call_c",
			"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "calculator",
			"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": `{"expr":"2+2"}`,
			"llm.token_count.prompt":                                                  int64(50), "llm.token_count.completion": int64(12), "llm.token_count.total": int64(62),
			"llm.cost.total": 0.0001, "llm.invocation_parameters": `{"temperature":0}`,
		}},
		{name: "calculator", id: 3, parent: 1, start: 1000, end: 1010, attrs: map[string]any{
			"openinference.span.kind": "TOOL", "tool.name": "calculator", "tool_call.id": "call_c",
			"input.value": `{"expr":"2+2"}`, "output.value": "4", "tool.description": "evaluates arithmetic",
		}},
		{name: "ChatOpenAI", id: 4, parent: 1, start: 1100, end: 2900, attrs: map[string]any{
			"openinference.span.kind": "LLM", "llm.model_name": "gpt-4.1-mini",
			"llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "You calculate.",
			"llm.input_messages.1.message.role": "user", "llm.input_messages.1.message.content": "What is 2+2?",
			"llm.input_messages.2.message.role":                                 "assistant",
			"llm.input_messages.2.message.tool_calls.0.tool_call.id":            "call_c",
			"llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "calculator",
			"llm.input_messages.3.message.role":                                 "tool",
			"llm.input_messages.3.message.tool_call_id":                         "call_c",
			"llm.input_messages.3.message.content":                              "4",
			"llm.output_messages.0.message.role":                                "assistant",
			"llm.output_messages.0.message.contents.0.message_content.type":     "text",
			"llm.output_messages.0.message.contents.0.message_content.text":     "2+2 is 4.",
			"llm.token_count.prompt":                                            int64(80), "llm.token_count.completion": int64(6),
		}},
		{name: "RunnableSequence", id: 5, parent: 1, start: 50, end: 60, attrs: map[string]any{
			"openinference.span.kind": "CHAIN", "input.value": "ignored chain input",
		}},
	}})
	recs, stats := mapTraces(t, New(Options{}), td)
	assertCounts(t, recs, map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 2,
		auditrecord.TypeOutput: 1, auditrecord.TypeToolCall: 1,
	})
	if stats.Malformed != 0 {
		t.Errorf("malformed %d", stats.Malformed)
	}
	for _, r := range recs {
		if r.SessionID != "oi-sess" || r.Source.Convention != "openinference" || r.Agent == nil || r.Agent.Name != "calc" {
			t.Errorf("%s: session %q convention %q agent %+v", r.Type, r.SessionID, r.Source.Convention, r.Agent)
		}
	}
	// The first model call only asked for the tool: its tokens and cost are on its llm_call.
	if call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall; *call.Cost != 0.0001 || call.CostSource != "telemetry" || *call.Tokens.Total != 62 {
		t.Errorf("first llm_call %s", mustJSON(t, call))
	}
	// gpt-4.1-mini from the table: 80 × 0.40/M + 6 × 1.60/M.
	if out := ofType(recs, auditrecord.TypeOutput)[0].Output; out.Cost == nil || *out.Cost != 0.0000416 || out.Content != "2+2 is 4." {
		t.Errorf("final output %s", mustJSON(t, out))
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0].ToolCall
	if tool.CallID != "call_c" || tool.Result != "4" || mustJSON(t, tool.Parameters) != `{"expr":"2+2"}` {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	assertGolden(t, "openinference", recs)
}

func TestTraceloopTrace(t *testing.T) {
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "joke-svc"}, scope: "opentelemetry.instrumentation.openai.v1", spans: []spanSpec{
		{name: "joke_workflow.workflow", id: 1, start: 0, end: 2000, attrs: map[string]any{
			"traceloop.span.kind": "workflow", "traceloop.entity.name": "joke_workflow", "traceloop.workflow.name": "joke_workflow",
			"traceloop.entity.input":                      `{"args":["Tell me a joke about OTel"],"kwargs":{}}`,
			"traceloop.entity.output":                     `"Why did the span end? It ran out of context."`,
			"traceloop.association.properties.user_id":    "tl-user",
			"traceloop.association.properties.session_id": "tl-sess",
		}},
		{name: "openai.chat", id: 2, parent: 1, start: 10, end: 800, attrs: map[string]any{
			"llm.request.type": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
			"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Tell me a joke about OTel",
			"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.finish_reason": "tool_calls",
			"gen_ai.completion.0.tool_calls.0.id": "call_j", "gen_ai.completion.0.tool_calls.0.name": "get_joke",
			"gen_ai.completion.0.tool_calls.0.arguments": `{"topic":"OTel"}`,
			"gen_ai.usage.prompt_tokens":                 int64(20), "gen_ai.usage.completion_tokens": int64(5), "llm.usage.total_tokens": int64(25),
		}},
		{name: "get_joke.tool", id: 3, parent: 1, start: 900, end: 950, attrs: map[string]any{
			"traceloop.span.kind": "tool", "traceloop.entity.name": "get_joke",
			"traceloop.entity.input": `{"args":[],"kwargs":{"topic":"OTel"}}`, "traceloop.entity.output": `"a joke"`,
		}},
		{name: "openai.chat", id: 4, parent: 1, start: 1000, end: 1900, attrs: map[string]any{
			"llm.request.type": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini",
			"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Tell me a joke about OTel",
			"gen_ai.prompt.1.role": "assistant", "gen_ai.prompt.1.tool_calls.0.id": "call_j", "gen_ai.prompt.1.tool_calls.0.name": "get_joke",
			"gen_ai.prompt.2.role": "tool", "gen_ai.prompt.2.tool_call_id": "call_j", "gen_ai.prompt.2.content": "a joke",
			"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "Why did the span end? It ran out of context.",
			"gen_ai.completion.0.finish_reason": "stop",
		}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	assertCounts(t, recs, map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 1,
		auditrecord.TypeOutput: 1, auditrecord.TypeToolCall: 1,
	})
	for _, r := range recs {
		if r.SessionID != "tl-sess" || r.UserID != "tl-user" || r.Source.Convention != "traceloop" {
			t.Errorf("%s: session %q user %q convention %q", r.Type, r.SessionID, r.UserID, r.Source.Convention)
		}
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0].ToolCall
	if tool.ToolName != "get_joke" || tool.Result != "a joke" || mustJSON(t, tool.Parameters) != `{"topic":"OTel"}` {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	// The first model call only asked for get_joke: no output, its tokens on its llm_call.
	if call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall; *call.Tokens.Total != 25 || call.Model != "gpt-4o-mini-2024-07-18" {
		t.Errorf("llm_call %s", mustJSON(t, call))
	}
	assertGolden(t, "traceloop", recs)
}

// Vercel AI SDK v6: ai.generateText → ai.generateText.doGenerate (tool call) → ai.toolCall →
// ai.generateText.doGenerate (answer), with the older promptTokens/completionTokens names on the
// first model call.
func TestVercelAIv6Trace(t *testing.T) {
	common := map[string]any{"ai.telemetry.functionId": "weather-bot", "ai.telemetry.metadata.userId": "v-user", "ai.telemetry.metadata.sessionId": "v-sess"}
	with := func(m map[string]any) map[string]any {
		for k, v := range common {
			m[k] = v
		}
		return m
	}
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "next-app"}, scope: "ai", spans: []spanSpec{
		{name: "ai.generateText", id: 1, start: 0, end: 3000, attrs: with(map[string]any{
			"ai.operationId": "ai.generateText", "ai.model.id": "gpt-4o", "ai.model.provider": "openai.chat",
			"ai.prompt":        `{"system":"Answer briefly.","prompt":"Weather in Berlin?"}`,
			"ai.response.text": "Sunny, 21°C.", "ai.response.finishReason": "stop",
			"ai.usage.inputTokens": int64(70), "ai.usage.outputTokens": int64(18), "ai.settings.maxRetries": int64(2),
		})},
		{name: "ai.generateText.doGenerate", id: 2, parent: 1, start: 10, end: 1000, attrs: with(map[string]any{
			"ai.operationId": "ai.generateText.doGenerate", "ai.model.id": "gpt-4o", "ai.model.provider": "openai.chat",
			"ai.prompt.format": "messages", "ai.prompt.messages": `[{"role":"system","content":"Answer briefly."},{"role":"user","content":[{"type":"text","text":"Weather in Berlin?"}]}]`,
			"ai.response.toolCalls":    `[{"toolCallType":"function","toolCallId":"call_w","toolName":"weather","args":"{\"city\":\"Berlin\"}"}]`,
			"ai.response.finishReason": "tool-calls", "ai.usage.promptTokens": int64(40), "ai.usage.completionTokens": int64(10),
			"gen_ai.system": "openai.chat", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
		})},
		{name: "ai.toolCall", id: 3, parent: 1, start: 1100, end: 1300, attrs: with(map[string]any{
			"ai.operationId": "ai.toolCall", "ai.toolCall.name": "weather", "ai.toolCall.id": "call_w",
			"ai.toolCall.args": `{"city":"Berlin"}`, "ai.toolCall.result": `{"tempC":21,"sky":"sunny"}`,
		})},
		{name: "ai.generateText.doGenerate", id: 4, parent: 1, start: 1400, end: 2900, attrs: with(map[string]any{
			"ai.operationId": "ai.generateText.doGenerate", "ai.model.id": "gpt-4o", "ai.model.provider": "openai.chat",
			"ai.prompt.messages": `[{"role":"system","content":"Answer briefly."},{"role":"user","content":[{"type":"text","text":"Weather in Berlin?"}]},` +
				`{"role":"assistant","content":[{"type":"tool-call","toolCallId":"call_w","toolName":"weather","input":{"city":"Berlin"}}]},` +
				`{"role":"tool","content":[{"type":"tool-result","toolCallId":"call_w","toolName":"weather","output":{"type":"json","value":{"tempC":21}}}]}]`,
			"ai.response.text": "Sunny, 21°C.", "ai.response.finishReason": "stop",
			"ai.usage.inputTokens": int64(30), "ai.usage.outputTokens": int64(8),
		})},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	assertCounts(t, recs, map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 2,
		auditrecord.TypeOutput: 1, auditrecord.TypeToolCall: 1,
	})
	for _, r := range recs {
		if r.SessionID != "v-sess" || r.UserID != "v-user" || r.Source.Convention != "vercel_ai" || r.Agent == nil || r.Agent.Name != "weather-bot" {
			t.Errorf("%s: session %q user %q convention %q agent %+v", r.Type, r.SessionID, r.UserID, r.Source.Convention, r.Agent)
		}
	}
	llm := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall
	if llm.Model != "gpt-4o-2024-08-06" || *llm.Tokens.Input != 40 || *llm.Tokens.Output != 10 || llm.Operation != "ai.generateText.doGenerate" {
		t.Errorf("llm_call %s", mustJSON(t, llm))
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0]
	if tool.SpanID != hexSpan(3) || mustJSON(t, tool.ToolCall.Result) != `{"sky":"sunny","tempC":21}` {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	assertGolden(t, "vercel_ai_v6", recs)
}

// Vercel AI SDK v7 (@ai-sdk/otel) speaks GenAI semconv: invoke_agent → step N (agent_step) → chat /
// execute_tool. One tool fails (ERROR status + exception event, no result); another was requested
// but its span never ended, so it is not in the batch.
func TestVercelAIv7Trace(t *testing.T) {
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "agent-v7"}, scope: "@ai-sdk/otel", spans: []spanSpec{
		{name: "invoke_agent support", id: 1, start: 0, end: 4000, status: ptrace.StatusCodeOk, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support", "gen_ai.conversation.id": "conv-9",
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Refund order 17"}]}]`,
		}},
		{name: "step 1", id: 2, parent: 1, start: 10, end: 2000, attrs: map[string]any{"gen_ai.operation.name": "agent_step", "gen_ai.agent.step": int64(1)}},
		{name: "chat claude-opus-4", id: 3, parent: 2, start: 20, end: 900, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-opus-4-20250514",
			"gen_ai.usage.input_tokens": int64(200), "gen_ai.usage.output_tokens": int64(40),
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Refund order 17"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Let me check."},` +
				`{"type":"tool_call","id":"tc_1","name":"lookup_order","arguments":{"id":17}},` +
				`{"type":"tool_call","id":"tc_2","name":"issue_refund","arguments":{"id":17}}],"finish_reason":"tool_calls"}]`,
		}},
		{
			name: "execute_tool lookup_order", id: 4, parent: 2, start: 950, end: 1500, status: ptrace.StatusCodeError, statusMsg: "order service timeout",
			attrs:  map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_order", "gen_ai.tool.call.id": "tc_1", "gen_ai.tool.call.arguments": `{"id":17}`},
			events: []eventSpec{{name: "exception", at: 1499, attrs: map[string]any{"exception.type": "TimeoutError", "exception.message": "order service timeout"}}},
		},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	assertCounts(t, recs, map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 1, auditrecord.TypeInput: 1,
		auditrecord.TypeOutput: 1, auditrecord.TypeToolCall: 2, auditrecord.TypeError: 1,
	})
	status := map[string]string{}
	for _, r := range ofType(recs, auditrecord.TypeToolCall) {
		status[r.ToolCall.CallID] = r.ToolCall.Status
	}
	if status["tc_1"] != "error" || status["tc_2"] != "requested" {
		t.Errorf("tool statuses %v", status)
	}
	for _, r := range recs {
		if r.SessionID != "conv-9" || r.Agent == nil || r.Agent.Name != "support" {
			t.Errorf("%s: session %q agent %+v (want inherited through the step span)", r.Type, r.SessionID, r.Agent)
		}
	}
	// claude-opus-4-20250514 from the table: 200 × 15/M + 40 × 75/M.
	if c := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall.Cost; c == nil || *c != 0.006 {
		t.Errorf("cost %v", c)
	}
	assertGolden(t, "vercel_ai_v7", recs)
}

// An agent input that is neither text nor messages is kept as JSON text.
func TestStructuredAgentInputIsKeptAsJSONText(t *testing.T) {
	recs, _ := oneSpan(t, Options{}, spanSpec{name: "wf", id: 1, start: 0, end: 1, attrs: map[string]any{
		"traceloop.span.kind": "workflow", "traceloop.entity.input": `{"args":["a","b"],"kwargs":{"k":1}}`,
	}})
	in := ofType(recs, auditrecord.TypeInput)
	if len(in) != 1 || in[0].Input.Content != `{"args":["a","b"],"kwargs":{"k":1}}` {
		t.Errorf("inputs %s", mustJSON(t, in))
	}
}

func TestOpenInferenceCostFromParts(t *testing.T) {
	recs, _ := oneSpan(t, Options{}, spanSpec{name: "llm", id: 1, start: 0, end: 1, attrs: map[string]any{
		"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.token_count.prompt": int64(1),
		"llm.cost.prompt": 0.25, "llm.cost.completion": "0.5",
	}})
	if c := recs[0].LLMCall; c.Cost == nil || *c.Cost != 0.75 || c.CostSource != "telemetry" {
		t.Errorf("llm_call %s", mustJSON(t, c))
	}
}
