package mapping

// traceloop is OpenLLMetry (Traceloop): traceloop.* span kinds and entities, flattened
// gen_ai.prompt.N / gen_ai.completion.N messages.
var traceloop = &dialect{
	name:    convTraceloop,
	title:   "OpenLLMetry / Traceloop",
	markers: []string{"traceloop.span.kind", "llm.request.type", "gen_ai.prompt.0.role", "gen_ai.completion.0.role", "gen_ai.prompt.0.content"},
	kinds: []kindRule{
		{rank: 30, key: "traceloop.span.kind", marks: true, others: true, lower: true, values: map[string]kindOp{
			"workflow": {kind: kindAgent}, "agent": {kind: kindAgent}, "tool": {kind: kindTool, op: "tool"},
		}},
		{rank: 50, key: "llm.request.type", lazy: true, any: &kindOp{kind: kindLLM}},
	},
	fields: map[field][]alias{
		fieldRequestModel:  {{key: "llm.request.model"}},
		fieldResponseModel: {{key: "llm.response.model"}},
		fieldAgentSpanName: {{key: "traceloop.entity.name"}},
		fieldTokensIn:      {{key: "llm.usage.prompt_tokens", form: formCount}},
		fieldTokensOut:     {{key: "llm.usage.completion_tokens", form: formCount}},
		fieldTokensTotal:   {{key: "llm.usage.total_tokens", form: formCount}},
		fieldInput: {{
			key: "gen_ai.prompt.", form: formFlatMessages,
			doc: "`gen_ai.prompt.N.role` / `.content` (content may be a JSON list of typed parts); role `tool` with `.tool_call_id` is a tool result given back",
		}},
		fieldOutput: {{
			key: "gen_ai.completion.", form: formFlatMessages,
			doc: "`gen_ai.completion.N.role` / `.content` / `.finish_reason`; `.tool_calls.M.{id, name, arguments}` → requested tool calls",
		}},
		fieldEntityInput:  {{key: "traceloop.entity.input", form: formEntity, doc: "`{\"args\":[\"…\"],\"kwargs\":{}}` is unwrapped to the single string"}},
		fieldEntityOutput: {{key: "traceloop.entity.output", form: formEntity}},
		fieldToolName:     {{key: "traceloop.entity.name"}},
		fieldToolArgs:     {{key: "traceloop.entity.input", form: formKwargs, doc: "the keyword arguments"}},
		fieldToolResult:   {{key: "traceloop.entity.output", form: formValue}},
	},
}
