package mapping

// langsmithOTel is LangSmith's OpenTelemetry mode (LANGSMITH_OTEL_ENABLED=true;
// langsmith/_internal/otel/_otel_exporter.py): GenAI attributes (gen_ai.operation.name, model,
// usage, gen_ai.prompt / gen_ai.completion holding the run's inputs and outputs as JSON) beside
// langsmith.* ones. langsmith.trace.session_id is the LangSmith project, not a user session: the
// session is thread metadata (langsmith.metadata.session_id, thread_id or conversation_id).
var langsmithOTel = &dialect{
	name:    convLangSmith,
	title:   "LangSmith (OpenTelemetry mode)",
	markers: []string{"langsmith.span.kind", "langsmith.trace.name"},
	kinds: []kindRule{
		{
			rank: 36, key: "langsmith.span.kind", marks: true, others: true, lower: true,
			doc:        "after `gen_ai.operation.name`, which LangSmith also sets (`llm` → `chat`, `tool` → `execute_tool`)",
			rootValues: map[string]kindOp{"chain": {kind: kindAgent}},
			values: map[string]kindOp{
				"llm": {kind: kindLLM}, "embedding": {kind: kindLLM},
				"tool": {kind: kindTool},
			},
		},
	},
	fields: map[field][]alias{
		fieldRequestModel:  {{key: "langsmith.metadata.ls_model_name"}},
		fieldProvider:      {{key: "langsmith.metadata.ls_provider"}},
		fieldAgentSpanName: {{key: "langsmith.trace.name"}},
		fieldToolName:      {{key: "langsmith.trace.name"}},
		fieldToolArgs:      {{key: "gen_ai.prompt", form: formValue, ownSpans: true, doc: "the tool run's inputs"}},
		fieldToolResult:    {{key: "gen_ai.completion", form: formUnwrapOutput, ownSpans: true, doc: "the tool run's outputs; `{\"output\": x}` → x"}},
	},
	reprs: []reprForm{
		{class: "AIMessage", text: []string{"content"}, framework: "LangChain"},
		{class: "AIMessageChunk", text: []string{"content"}, framework: "LangChain"},
		{class: "HumanMessage", text: []string{"content"}, framework: "LangChain"},
		{class: "SystemMessage", text: []string{"content"}, framework: "LangChain"},
		{class: "ChatGeneration", text: []string{"message", "text"}, framework: "LangChain"},
	},
	usage: []usageShape{
		{key: "usage_metadata", in: "input_tokens", out: "output_tokens", total: "total_tokens", framework: "LangChain `AIMessage.usage_metadata`"},
		{key: "token_usage", in: "prompt_tokens", out: "completion_tokens", total: "total_tokens", framework: "LangChain `response_metadata.token_usage`"},
	},
}
