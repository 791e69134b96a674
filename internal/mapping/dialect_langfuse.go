package mapping

// langfuseSDK is the Langfuse SDK (Python v3+, JS v4+), which records observations as OpenTelemetry
// spans with langfuse.observation.* attributes (langfuse/_client/attributes.py). The SDK names tools
// and agents by the span name; session and user ids are session.id / user.id (propagate_attributes).
var langfuseSDK = &dialect{
	name:    convLangfuse,
	title:   "Langfuse SDK (Python v3+, JS v4+)",
	markers: []string{"langfuse.observation.type"},
	kinds: []kindRule{
		{rank: 35, key: "langfuse.observation.type", marks: true, others: true, lower: true, values: map[string]kindOp{
			"agent":      {kind: kindAgent},
			"generation": {kind: kindLLM}, "embedding": {kind: kindLLM},
			"tool": {kind: kindTool},
		}},
	},
	fields: map[field][]alias{
		fieldRequestModel:  {{key: "langfuse.observation.model.name"}},
		fieldAgentSpanName: {{form: formSpanName, ownSpans: true, doc: "the span name"}},
		fieldFailed:        {{key: "langfuse.observation.level", form: formFailure, match: "ERROR"}},
		fieldStatusMessage: {{key: "langfuse.observation.status_message"}},
		fieldTokensIn: {
			{key: "langfuse.observation.usage_details", member: "input", form: formCount},
			{key: "langfuse.observation.usage_details", member: "prompt_tokens", form: formCount, doc: "the OpenAI wrapper passes OpenAI's usage"},
			{key: "langfuse.observation.usage_details", member: "input_tokens", form: formCount},
		},
		fieldTokensOut: {
			{key: "langfuse.observation.usage_details", member: "output", form: formCount},
			{key: "langfuse.observation.usage_details", member: "completion_tokens", form: formCount},
			{key: "langfuse.observation.usage_details", member: "output_tokens", form: formCount},
		},
		fieldTokensTotal: {
			{key: "langfuse.observation.usage_details", member: "total", form: formCount},
			{key: "langfuse.observation.usage_details", member: "total_tokens", form: formCount},
		},
		fieldCost:         {{key: "langfuse.observation.cost_details", member: "total", form: formNumber}},
		fieldEntityInput:  {{key: "langfuse.observation.input", form: formEntity, doc: "messages (`{messages, tools}` from the OpenAI wrapper) or `@observe`'s `{\"args\":[\"…\"],\"kwargs\":{}}`"}},
		fieldEntityOutput: {{key: "langfuse.observation.output", form: formEntity, doc: "the assistant message `{role, content, tool_calls}` → output and requested tool calls, or the agent's answer"}},
		fieldToolName:     {{form: formSpanName, ownSpans: true, doc: "the span name"}},
		fieldToolArgs:     {{key: "langfuse.observation.input", form: formKwargs, doc: "`@observe`'s `kwargs`"}},
		fieldToolResult:   {{key: "langfuse.observation.output", form: formValue}},
	},
}
