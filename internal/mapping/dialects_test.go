package mapping

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// The spans below are shortened captures of the test/clients scenario (system prompt, a user
// prompt, getWeather succeeding, deleteFile failing, a final answer) from each SDK.

const (
	scenarioSystem = "You are a careful assistant."
	scenarioUser   = "What is the weather in Paris? Then delete /tmp/report.txt."
	scenarioAnswer = "It is sunny in Paris. I could not delete /tmp/report.txt: permission denied."
	openAITools    = `[{"type":"function","function":{"name":"getWeather"}},{"type":"function","function":{"name":"deleteFile"}}]`
)

// checkScenarioRecords asserts what every dialect's scenario must yield: one user input, one system
// input, getWeather succeeded, deleteFile failed with one error linked to it, the final answer once
// with model and tokens, and an agent_run.
func checkScenarioRecords(t *testing.T, recs []*auditrecord.Record, convention, model string, in, out int64) {
	t.Helper()
	assertCounts(t, recs, map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 2,
		auditrecord.TypeOutput: 1, auditrecord.TypeToolCall: 2, auditrecord.TypeError: 1,
	})
	for _, r := range recs {
		if r.Source.Convention != convention {
			t.Errorf("%s record convention %q, want %q", r.Type, r.Source.Convention, convention)
		}
	}
	inputs := ofType(recs, auditrecord.TypeInput)
	roles := map[string]string{}
	for _, r := range inputs {
		roles[r.Input.Role] = r.Input.Content
	}
	if roles["user"] != scenarioUser || roles["system"] != scenarioSystem {
		t.Errorf("inputs %s", mustJSON(t, inputs))
	}
	tools := map[string]*auditrecord.Record{}
	for _, r := range ofType(recs, auditrecord.TypeToolCall) {
		tools[r.ToolCall.ToolName] = r
	}
	if w := tools["getWeather"]; w == nil || w.ToolCall.Status != "success" || mustJSON(t, w.ToolCall.Parameters) != `{"city":"Paris"}` ||
		!strings.Contains(mustJSON(t, w.ToolCall.Result), "sunny") {
		t.Errorf("getWeather %s", mustJSON(t, w))
	}
	d := tools["deleteFile"]
	if d == nil || d.ToolCall.Status != "error" || mustJSON(t, d.ToolCall.Parameters) != `{"path":"/tmp/report.txt"}` {
		t.Fatalf("deleteFile %s", mustJSON(t, d))
	}
	e := ofType(recs, auditrecord.TypeError)[0].Error
	if !strings.Contains(e.Message, "permission denied") || e.ToolName != "deleteFile" || e.RelatedRecordID != d.RecordID {
		t.Errorf("error %s", mustJSON(t, e))
	}
	var final *auditrecord.Output
	for _, r := range ofType(recs, auditrecord.TypeOutput) {
		if r.Output.Content == scenarioAnswer {
			final = r.Output
		}
	}
	if final == nil || final.Model != model || final.Tokens == nil || *final.Tokens.Input != in || *final.Tokens.Output != out {
		t.Errorf("final output %s", mustJSON(t, final))
	}
	for _, r := range recs {
		if r.SessionID != "sess-1" || r.UserID != "user-1" {
			t.Errorf("%s: session %q user %q", r.Type, r.SessionID, r.UserID)
		}
	}
}

func TestLangfuseSDKTrace(t *testing.T) {
	ids := map[string]any{"session.id": "sess-1", "user.id": "user-1"}
	with := func(m map[string]any) map[string]any {
		for k, v := range ids {
			m[k] = v
		}
		return m
	}
	history := `{"role":"system","content":"` + scenarioSystem + `"},{"role":"user","content":"` + scenarioUser + `"}`
	calls := `[{"id":"call_w","function":{"arguments":"{\"city\": \"Paris\"}","name":"getWeather"},"type":"function"},{"id":"call_d","function":{"arguments":"{\"path\": \"/tmp/report.txt\"}","name":"deleteFile"},"type":"function"}]`
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "lf-agent"}, scope: "langfuse-sdk", spans: []spanSpec{
		{name: "weather-agent", id: 1, start: 0, end: 4000, attrs: with(map[string]any{
			"langfuse.observation.type": "agent", "langfuse.internal.is_app_root": true,
			"langfuse.observation.input":  `{"args": ["` + scenarioUser + `"], "kwargs": {}}`,
			"langfuse.observation.output": scenarioAnswer,
		})},
		{name: "OpenAI-generation", id: 2, parent: 1, start: 100, end: 900, attrs: with(map[string]any{
			"langfuse.observation.type": "generation", "langfuse.observation.model.name": "gpt-4o-mini",
			"langfuse.observation.input":            `{"tools": ` + openAITools + `, "messages": [` + history + `]}`,
			"langfuse.observation.output":           `{"role": "assistant", "tool_calls": ` + calls + `, "content": null}`,
			"langfuse.observation.usage_details":    `{"completion_tokens": 24, "prompt_tokens": 52, "total_tokens": 76, "prompt_tokens_details": null}`,
			"langfuse.observation.model.parameters": `{"temperature": 1}`,
		})},
		{name: "getWeather", id: 3, parent: 1, start: 1000, end: 1010, attrs: with(map[string]any{
			"langfuse.observation.type": "tool", "langfuse.observation.input": `{"args": [], "kwargs": {"city": "Paris"}}`,
			"langfuse.observation.output": `{"city": "Paris", "forecast": "sunny"}`,
		})},
		{name: "deleteFile", id: 4, parent: 1, start: 1020, end: 1030, status: ptrace.StatusCodeError, statusMsg: "permission denied: /tmp/report.txt", attrs: with(map[string]any{
			"langfuse.observation.type": "tool", "langfuse.observation.input": `{"args": [], "kwargs": {"path": "/tmp/report.txt"}}`,
			"langfuse.observation.level": "ERROR", "langfuse.observation.status_message": "permission denied: /tmp/report.txt",
		})},
		{name: "OpenAI-generation", id: 5, parent: 1, start: 1100, end: 3900, attrs: with(map[string]any{
			"langfuse.observation.type": "generation", "langfuse.observation.model.name": "gpt-4o-mini",
			"langfuse.observation.input": `{"tools": ` + openAITools + `, "messages": [` + history + `,{"role":"assistant","tool_calls":` + calls + `},` +
				`{"role":"tool","tool_call_id":"call_w","content":"{\"forecast\": \"sunny\"}"},{"role":"tool","tool_call_id":"call_d","content":"error: permission denied"}]}`,
			"langfuse.observation.output":        `{"role": "assistant", "content": "` + scenarioAnswer + `"}`,
			"langfuse.observation.usage_details": `{"input": 96, "output": 21}`,
			"langfuse.observation.cost_details":  `{"input": 0.0001, "output": 0.00002, "total": 0.00012}`,
		})},
		{name: "format-answer", id: 6, parent: 1, start: 3950, end: 3960, attrs: with(map[string]any{
			"langfuse.observation.type": "span", "langfuse.observation.input": `"plumbing"`,
		})},
	}})
	recs, stats := mapTraces(t, New(Options{}), td)
	checkScenarioRecords(t, recs, "langfuse", "gpt-4o-mini", 96, 21)
	if stats.Malformed != 0 {
		t.Errorf("malformed %d", stats.Malformed)
	}
	run := ofType(recs, auditrecord.TypeAgentRun)[0]
	if run.Agent == nil || run.Agent.Name != "weather-agent" || run.AgentRun.Operation != "agent" {
		t.Errorf("agent_run %s", mustJSON(t, run))
	}
	calls2 := ofType(recs, auditrecord.TypeLLMCall)
	if c := calls2[1].LLMCall; c.Cost == nil || *c.Cost != 0.00012 || c.CostSource != "telemetry" || *c.Tokens.Total != 117 {
		t.Errorf("second llm_call %s", mustJSON(t, c))
	}
	if _, kept := calls2[0].Attributes["langfuse.observation.usage_details"]; kept {
		t.Errorf("usage_details that fed the tokens stayed in attributes")
	}
	assertGolden(t, "langfuse", recs)
}

func TestLangSmithOTelTrace(t *testing.T) {
	meta := func(m map[string]any) map[string]any {
		m["langsmith.metadata.session_id"] = "sess-1"
		m["langsmith.metadata.user_id"] = "user-1"
		m["langsmith.trace.session_id"] = "0c3ab7c6-project"
		m["langsmith.metadata.ls_method"] = "traceable"
		return m
	}
	history := `{"role":"system","content":"` + scenarioSystem + `"},{"role":"user","content":"` + scenarioUser + `"}`
	toolCalls := `[{"id":"call_w","function":{"arguments":"{\"city\": \"Paris\"}","name":"getWeather"},"type":"function"},{"id":"call_d","function":{"arguments":"{\"path\": \"/tmp/report.txt\"}","name":"deleteFile"},"type":"function"}]`
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "ls-agent"}, scope: "langsmith", spans: []spanSpec{
		{name: "weather-agent", id: 1, start: 0, end: 4000, status: ptrace.StatusCodeOk, attrs: meta(map[string]any{
			"langsmith.span.kind": "chain", "langsmith.trace.name": "weather-agent", "gen_ai.operation.name": "chain", "gen_ai.system": "langchain",
			"gen_ai.prompt": `{"question":"` + scenarioUser + `"}`, "gen_ai.completion": `{"output":"` + scenarioAnswer + `"}`,
		})},
		{name: "ChatOpenAI", id: 2, parent: 1, start: 100, end: 900, status: ptrace.StatusCodeOk, attrs: meta(map[string]any{
			"langsmith.span.kind": "llm", "langsmith.trace.name": "ChatOpenAI", "gen_ai.operation.name": "chat", "gen_ai.system": "openai",
			"gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "langsmith.metadata.ls_model_name": "gpt-4o-mini",
			"gen_ai.prompt":             `{"messages":[` + history + `],"model":"gpt-4o-mini","tools":` + openAITools + `}`,
			"gen_ai.completion":         `{"id":"chatcmpl-1","choices":[{"finish_reason":"tool_calls","index":0,"message":{"content":null,"role":"assistant","tool_calls":` + toolCalls + `}}],"model":"gpt-4o-mini-2024-07-18"}`,
			"gen_ai.usage.input_tokens": int64(52), "gen_ai.usage.output_tokens": int64(24), "gen_ai.usage.total_tokens": int64(76),
			"gen_ai.response.finish_reasons": []any{"tool_calls"},
		})},
		{name: "getWeather", id: 3, parent: 1, start: 1000, end: 1010, status: ptrace.StatusCodeOk, attrs: meta(map[string]any{
			"langsmith.span.kind": "tool", "langsmith.trace.name": "getWeather", "gen_ai.operation.name": "execute_tool", "gen_ai.system": "langchain",
			"gen_ai.tool.name": "getWeather", "gen_ai.prompt": `{"city":"Paris"}`, "gen_ai.completion": `{"city":"Paris","forecast":"sunny"}`,
		})},
		{name: "deleteFile", id: 4, parent: 1, start: 1020, end: 1030, status: ptrace.StatusCodeError, attrs: meta(map[string]any{
			"langsmith.span.kind": "tool", "langsmith.trace.name": "deleteFile", "gen_ai.operation.name": "execute_tool", "gen_ai.system": "langchain",
			"gen_ai.tool.name": "deleteFile", "gen_ai.prompt": `{"path":"/tmp/report.txt"}`, "gen_ai.completion": `{"output":null}`,
		}), events: []eventSpec{{name: "exception", at: 1029, attrs: map[string]any{
			"exception.type": "Exception", "exception.message": "PermissionError('permission denied: /tmp/report.txt')",
		}}}},
		{name: "ChatOpenAI", id: 5, parent: 1, start: 1100, end: 3900, status: ptrace.StatusCodeOk, attrs: meta(map[string]any{
			"langsmith.span.kind": "llm", "langsmith.trace.name": "ChatOpenAI", "gen_ai.operation.name": "chat", "gen_ai.system": "openai",
			"gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
			"gen_ai.prompt": `{"messages":[` + history + `,{"role":"assistant","tool_calls":` + toolCalls + `},{"role":"tool","tool_call_id":"call_w","content":"sunny"},` +
				`{"role":"tool","tool_call_id":"call_d","content":"error: permission denied"}],"model":"gpt-4o-mini"}`,
			"gen_ai.completion":         `{"id":"chatcmpl-2","choices":[{"finish_reason":"stop","index":0,"message":{"content":"` + scenarioAnswer + `","role":"assistant"}}]}`,
			"gen_ai.usage.input_tokens": int64(96), "gen_ai.usage.output_tokens": int64(21), "gen_ai.usage.total_tokens": int64(117),
		})},
		{name: "parse", id: 6, parent: 1, start: 3950, end: 3960, status: ptrace.StatusCodeOk, attrs: meta(map[string]any{
			"langsmith.span.kind": "chain", "langsmith.trace.name": "parse", "gen_ai.operation.name": "chain", "gen_ai.prompt": `{"x":1}`,
		})},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	checkScenarioRecords(t, recs, "langsmith", "gpt-4o-mini-2024-07-18", 96, 21)
	run := ofType(recs, auditrecord.TypeAgentRun)[0]
	if run.Agent == nil || run.Agent.Name != "weather-agent" || run.AgentRun.Operation != "chain" {
		t.Errorf("agent_run %s", mustJSON(t, run))
	}
	// langsmith.trace.session_id is the LangSmith project, not the user's session: it stays an attribute.
	if ofType(recs, auditrecord.TypeToolCall)[0].Attributes["langsmith.trace.session_id"] != "0c3ab7c6-project" {
		t.Errorf("project id not kept in attributes")
	}
	assertGolden(t, "langsmith", recs)
}

func TestGenkitTrace(t *testing.T) {
	sys := `{"content":[{"text":"` + scenarioSystem + `"}],"role":"system"},{"content":[{"text":"` + scenarioUser + `"}],"role":"user"}`
	reqs := `{"content":[{"toolRequest":{"input":{"city":"Paris"},"name":"getWeather","ref":"call_w"}},{"toolRequest":{"input":{"path":"/tmp/report.txt"},"name":"deleteFile","ref":"call_d"}}],"role":"model"}`
	td := buildTraces(t, resourceSpec{attrs: map[string]any{"service.name": "genkit-agent", "session.id": "sess-1", "user.id": "user-1"}, scope: "genkit-tracer", spans: []spanSpec{
		{name: "weatherAgent", id: 1, start: 0, end: 4000, attrs: map[string]any{
			"genkit:type": "action", "genkit:metadata:subtype": "flow", "genkit:name": "weatherAgent", "genkit:state": "success", "genkit:isRoot": true,
			"genkit:path": "/{weatherAgent,t:flow}", "genkit:input": `"` + scenarioUser + `"`, "genkit:output": `"` + scenarioAnswer + `"`,
		}},
		{name: "generate", id: 2, parent: 1, start: 100, end: 900, attrs: map[string]any{
			"genkit:type": "util", "genkit:metadata:subtype": "util", "genkit:name": "generate", "genkit:state": "success",
			"genkit:input": `{"messages":[` + sys + `]}`, "genkit:output": `{"finishReason":"stop","message":` + reqs + `}`,
		}},
		{name: "openai/gpt-4o-mini", id: 3, parent: 2, start: 110, end: 890, attrs: map[string]any{
			"genkit:type": "action", "genkit:metadata:subtype": "model", "genkit:name": "openai/gpt-4o-mini", "genkit:state": "success",
			"genkit:path":  "/{weatherAgent,t:flow}/{generate,t:util}/{openai/gpt-4o-mini,t:action,s:model}",
			"genkit:input": `{"messages":[` + sys + `],"tools":[{"name":"getWeather"}]}`,
			"genkit:output": `{"finishReason":"stop","latencyMs":18.1,"message":` + reqs +
				`,"usage":{"inputTokens":52,"outputTokens":24,"totalTokens":76}}`,
		}},
		{name: "getWeather", id: 4, parent: 1, start: 1000, end: 1010, attrs: map[string]any{
			"genkit:type": "action", "genkit:metadata:subtype": "tool.v2", "genkit:name": "getWeather", "genkit:state": "success",
			"genkit:input": `{"city":"Paris"}`, "genkit:output": `{"output":{"city":"Paris","forecast":"sunny"}}`,
		}},
		{name: "deleteFile", id: 5, parent: 1, start: 1020, end: 1030, status: ptrace.StatusCodeError, statusMsg: "permission denied: /tmp/report.txt", attrs: map[string]any{
			"genkit:type": "action", "genkit:metadata:subtype": "tool.v2", "genkit:name": "deleteFile", "genkit:state": "error",
			"genkit:isFailureSource": true, "genkit:input": `{"path":"/tmp/report.txt"}`,
		}, events: []eventSpec{{name: "exception", at: 1029, attrs: map[string]any{"exception.type": "*errors.errorString", "exception.message": "permission denied: /tmp/report.txt"}}}},
		{name: "openai/gpt-4o-mini", id: 6, parent: 1, start: 1100, end: 3900, attrs: map[string]any{
			"genkit:type": "action", "genkit:metadata:subtype": "model", "genkit:name": "openai/gpt-4o-mini", "genkit:state": "success",
			"genkit:input": `{"messages":[` + sys + `,` + reqs + `,{"content":[{"toolResponse":{"name":"getWeather","output":{"forecast":"sunny"},"ref":"call_w"}},` +
				`{"toolResponse":{"name":"deleteFile","output":{"error":"permission denied"},"ref":"call_d"}}],"role":"tool"}]}`,
			"genkit:output": `{"finishReason":"stop","message":{"content":[{"text":"` + scenarioAnswer + `"}],"role":"model"},"usage":{"inputTokens":96,"outputTokens":21,"totalTokens":117}}`,
		}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	checkScenarioRecords(t, recs, "genkit", "gpt-4o-mini", 96, 21)
	call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall
	if call.Provider != "openai" || call.Operation != "model" || call.CostSource != "price_table" {
		t.Errorf("llm_call %s", mustJSON(t, call))
	}
	if out := ofType(recs, auditrecord.TypeOutput)[0].Output; out.FinishReason != "stop" {
		t.Errorf("first output %s", mustJSON(t, out))
	}
	assertGolden(t, "genkit", recs)
}

// A span that speaks two dialects (a Langfuse observation that also carries GenAI attributes, as
// when the Langfuse SDK wraps a GenAI-instrumented call) yields one record per thing, never two.
func TestTwoDialectsOnOneSpanYieldOneRecordPerThing(t *testing.T) {
	td := buildTraces(t, resourceSpec{scope: "mixed", spans: []spanSpec{
		{name: "chat gpt-4o", id: 1, start: 0, end: 1000, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "langfuse.observation.type": "generation",
			"langfuse.observation.model.name": "gpt-4o", "session.id": "s",
			"gen_ai.input.messages":              `[{"role":"user","parts":[{"type":"text","content":"Hi there"}]}]`,
			"langfuse.observation.input":         `[{"role":"user","content":"Hi there"}]`,
			"gen_ai.output.messages":             `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}]}]`,
			"langfuse.observation.output":        `{"role":"assistant","content":"Hello!"}`,
			"gen_ai.usage.input_tokens":          int64(5),
			"gen_ai.usage.output_tokens":         int64(2),
			"langfuse.observation.usage_details": `{"input":5,"output":2}`,
		}},
	}})
	recs, _ := mapTraces(t, New(Options{}), td)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeLLMCall: 1, auditrecord.TypeInput: 1, auditrecord.TypeOutput: 1})
	out := ofType(recs, auditrecord.TypeOutput)[0].Output
	if out.Content != "Hello!" || *out.Tokens.Input != 5 || recs[0].Source.Convention != "langfuse" {
		t.Errorf("output %s convention %s", mustJSON(t, out), recs[0].Source.Convention)
	}
}

// A Langfuse observation updated to level ERROR, or a Genkit action in state error, failed even when
// the span status says nothing: its message is the status_message (Langfuse).
func TestDialectFailureAttributesWithoutSpanStatus(t *testing.T) {
	cases := []struct {
		name        string
		attrs       map[string]any
		wantMessage string
	}{
		{"langfuse level ERROR", map[string]any{
			"langfuse.observation.type": "tool", "langfuse.observation.level": "ERROR",
			"langfuse.observation.status_message": "quota exceeded", "langfuse.observation.input": `{"args":[],"kwargs":{"q":1}}`,
		}, "quota exceeded"},
		{"genkit state error", map[string]any{
			"genkit:type": "action", "genkit:metadata:subtype": "tool", "genkit:name": "lookup",
			"genkit:state": "error", "genkit:input": `{"q":1}`,
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			td := buildTraces(t, resourceSpec{spans: []spanSpec{{name: "lookup", id: 1, start: 0, end: 10, attrs: tc.attrs}}})
			recs, _ := mapTraces(t, New(Options{}), td)
			assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeToolCall: 1, auditrecord.TypeError: 1})
			tool := ofType(recs, auditrecord.TypeToolCall)[0]
			e := ofType(recs, auditrecord.TypeError)[0].Error
			if tool.ToolCall.Status != "error" || tool.ToolCall.ToolName != "lookup" || mustJSON(t, tool.ToolCall.Parameters) != `{"q":1}` ||
				e.Message != tc.wantMessage || e.RelatedRecordID != tool.RecordID {
				t.Errorf("tool %s error %s", mustJSON(t, tool.ToolCall), mustJSON(t, e))
			}
		})
	}
	// Any other level is not a failure and stays in attributes.
	td := buildTraces(t, resourceSpec{spans: []spanSpec{{name: "lookup", id: 1, start: 0, end: 10, attrs: map[string]any{
		"langfuse.observation.type": "tool", "langfuse.observation.level": "WARNING",
	}}}})
	recs, _ := mapTraces(t, New(Options{}), td)
	if len(ofType(recs, auditrecord.TypeError)) != 0 || recs[0].ToolCall.Status != "success" || recs[0].Attributes["langfuse.observation.level"] != "WARNING" {
		t.Errorf("WARNING level: %s", mustJSON(t, recs))
	}
}
