package mapping

import (
	"encoding/json"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// smolagents (OpenInference) ends a run through its final_answer tool, records run()'s arguments as
// the agent's input and prefixes the task with "New task:\n" in the model's user message; LlamaIndex
// marks _prepare_chat_with_tools LLM and records a tool's input as {"kwargs":…}. The trail is the
// user's prompt once, the answer once with the model call's tokens, and the application's tools only.
func TestOpenInferenceFrameworkWrappers(t *testing.T) {
	oi := func(kind string, attrs map[string]any) map[string]any {
		attrs["openinference.span.kind"] = kind
		return attrs
	}
	spans := []spanSpec{
		{name: "weather_agent.run", trace: 1, id: 1, start: 0, end: 900, attrs: oi("AGENT", map[string]any{
			"session.id": "s-1", "user.id": "u-1",
			"input.value":  `{"task": "Weather in Paris?", "stream": false, "reset": true, "images": null, "additional_args": null, "max_steps": null, "return_full_result": null}`,
			"output.value": "It is sunny.",
		})},
		{name: "OpenAIModel.generate", trace: 1, id: 2, parent: 1, start: 10, end: 100, attrs: oi("LLM", map[string]any{
			"llm.model_name": "mock-gpt-4o", "llm.token_count.prompt": int64(96), "llm.token_count.completion": int64(21),
			"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "New task:\nWeather in Paris?",
			"llm.output_messages.0.message.role":                                      "assistant",
			"llm.output_messages.0.message.tool_calls.0.tool_call.id":                 "call_final_1",
			"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "final_answer",
			"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": `{"answer": "It is sunny."}`,
		})},
		{name: "FinalAnswerTool", trace: 1, id: 3, parent: 1, start: 110, end: 120, attrs: oi("TOOL", map[string]any{
			"tool.name": "final_answer", "input.value": `{"args": [], "sanitize_inputs_outputs": true, "kwargs": {"answer": "It is sunny."}}`, "output.value": "It is sunny.",
		})},
		{name: "SimpleTool", trace: 1, id: 4, parent: 1, start: 50, end: 60, attrs: oi("TOOL", map[string]any{
			"tool.name": "getWeather", "input.value": `{"args": [], "sanitize_inputs_outputs": true, "kwargs": {"city": "Paris"}}`, "output.value": "sunny",
		})},
		{name: "FunctionTool.acall", trace: 1, id: 5, parent: 1, start: 60, end: 70, attrs: oi("TOOL", map[string]any{
			"tool.name": "lookup", "input.value": `{"kwargs": {"city": "Paris"}, "units": "metric"}`, "output.value": "ok",
		})},
		{name: "FakeServedOpenAI._prepare_chat_with_tools", trace: 1, id: 6, parent: 1, start: 5, end: 6, attrs: oi("LLM", map[string]any{
			"llm.model_name": "mock-gpt-4o", "input.value": `{"user_msg": "Weather in Paris?"}`, "output.value": `{"messages": ["Weather in Paris?"]}`,
		})},
	}
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "openinference.instrumentation.smolagents", spans: spans}))
	if in := ofType(recs, auditrecord.TypeInput); len(in) != 1 || in[0].Input.Content != "Weather in Paris?" {
		t.Errorf("want the prompt once, unwrapped, got %s", describe(in))
	}
	outs := ofType(recs, auditrecord.TypeOutput)
	if len(outs) != 1 || outs[0].Output.Content != "It is sunny." || outs[0].Output.Tokens == nil || *outs[0].Output.Tokens.Input != 96 {
		t.Errorf("want the final_answer call as the one output with the call's tokens, got %s", describe(outs))
	}
	if calls := ofType(recs, auditrecord.TypeLLMCall); len(calls) != 1 {
		t.Errorf("_prepare_chat_with_tools is no model call: want one llm_call, got %s", describe(calls))
	}
	params := map[string]string{}
	for _, r := range ofType(recs, auditrecord.TypeToolCall) {
		if r.ToolCall.Status != auditrecord.ToolStatusRequested {
			params[r.ToolCall.ToolName] = jsonOf(t, r.ToolCall.Parameters)
		}
	}
	want := map[string]string{"getWeather": `{"city":"Paris"}`, "lookup": `{"kwargs":{"city":"Paris"},"units":"metric"}`}
	if len(params) != len(want) || params["getWeather"] != want["getWeather"] || params["lookup"] != want["lookup"] {
		t.Errorf("want the application's tools with their keyword arguments (a map with other members kept whole), no final_answer: got %v", params)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
