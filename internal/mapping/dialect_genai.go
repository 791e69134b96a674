package mapping

// genAI is the OpenTelemetry GenAI semantic conventions (1.37+, and the deprecated forms). It is
// the dialect of every span no other dialect claims, and its aliases are tried first for every span.
var genAI = &dialect{
	name:  convGenAI,
	title: "OpenTelemetry GenAI semantic conventions 1.37+",
	kinds: []kindRule{
		{
			rank: 5, key: "gen_ai.tool.name", values: map[string]kindOp{"(merged tools)": {kind: kindOther}},
			doc: "Google ADK's `execute_tool (merged)` span over the parallel calls of one model response: no call of its own",
		},
		{rank: 10, key: "gen_ai.operation.name", marks: true, values: map[string]kindOp{
			"invoke_agent": {kind: kindAgent}, "create_agent": {kind: kindAgent},
			"agent_step": {kind: kindStep},
			"chat":       {kind: kindLLM}, "text_completion": {kind: kindLLM}, "generate_content": {kind: kindLLM},
			"embeddings": {kind: kindLLM}, "responses": {kind: kindLLM},
			"execute_tool": {kind: kindTool},
		}},
		{
			rank: 60, present: []string{"gen_ai.request.model", "gen_ai.system", "gen_ai.provider.name"},
			any: &kindOp{kind: kindLLM, op: "chat"}, doc: "any span with one of these is a model call",
		},
	},
	fields: map[field][]alias{
		fieldRequestModel:  {{key: "gen_ai.request.model"}},
		fieldResponseModel: {{key: "gen_ai.response.model"}},
		fieldProvider:      {{key: "gen_ai.provider.name"}, {key: "gen_ai.system", doc: "deprecated"}},
		fieldAgentName:     {{key: "gen_ai.agent.name"}},
		fieldAgentID:       {{key: "gen_ai.agent.id"}},
		fieldAgentVersion:  {{key: "gen_ai.agent.version"}},
		fieldErrorType:     {{key: "error.type"}},
		fieldFinishReason:  {{key: "gen_ai.response.finish_reasons", form: formFinishList, doc: "per output, when its message names none"}},
		fieldTokensIn: {
			{key: "gen_ai.usage.input_tokens", form: formCount},
			{key: "gen_ai.usage.prompt_tokens", form: formCount, doc: "deprecated"},
		},
		fieldTokensOut: {
			{key: "gen_ai.usage.output_tokens", form: formCount},
			{key: "gen_ai.usage.completion_tokens", form: formCount, doc: "deprecated"},
		},
		fieldTokensTotal: {{key: "gen_ai.usage.total_tokens", form: formCount}},
		fieldCost:        {{key: "gen_ai.usage.cost", form: formNumber}},
		fieldSystem:      {{key: "gen_ai.system_instructions", form: formSystem, doc: "`[{\"type\":\"text\",\"content\"}]` or text; also `system` role messages"}},
		fieldInput: {
			{key: "gen_ai.input.messages", form: formMessagesJSON, doc: "`[{\"role\",\"parts\":[{\"type\":\"text\",\"content\"}]}]`, JSON string or structured; `tool_call_response` parts are tool results given back"},
			{key: "gen_ai.prompt", form: formMessages, doc: "deprecated: JSON message list (or request object) or text"},
		},
		fieldOutput: {
			{key: "gen_ai.output.messages", form: formMessages, doc: "plain text, one message, a parts list or a message list (JSON text or structured); text parts, `finish_reason`; `reasoning` parts → reasoning; `tool_call` parts `{id, name, arguments}` → requested tool calls"},
			{key: "gen_ai.completion", form: formMessages, doc: "deprecated: JSON message list (or chat completion) or text"},
		},
		fieldToolName:   {{key: "gen_ai.tool.name"}},
		fieldToolCallID: {{key: "gen_ai.tool.call.id"}},
		fieldToolArgs:   {{key: "gen_ai.tool.call.arguments", form: formValue}},
		fieldToolResult: {{key: "gen_ai.tool.call.result", form: formValue}},
	},
	reprs: []reprForm{
		{class: "ChatCompletion", text: []string{"choices"}, framework: "OpenAI Python SDK"},
		{class: "Choice", text: []string{"message"}, framework: "OpenAI Python SDK"},
		{class: "ChatCompletionMessage", text: []string{"content"}, framework: "OpenAI Python SDK"},
		{class: "ResponseOutputMessage", text: []string{"content"}, framework: "OpenAI Python SDK (Responses)"},
		{class: "ResponseOutputText", text: []string{"text"}, framework: "OpenAI Python SDK (Responses)"},
		{class: "ModelResponse", text: []string{"parts"}, framework: "Pydantic AI"},
		{class: "TextPart", text: []string{"content"}, framework: "Pydantic AI"},
		{class: "AgentRunResult", text: []string{"output"}, framework: "Pydantic AI"},
		{class: "ChatMessageContent", text: []string{"content", "items"}, framework: "Semantic Kernel"},
		{class: "TextContent", text: []string{"text"}, framework: "Semantic Kernel"},
		{class: "FunctionResult", text: []string{"value"}, framework: "Semantic Kernel"},
	},
	usage: []usageShape{
		{key: "usage", in: "prompt_tokens", out: "completion_tokens", total: "total_tokens", framework: "OpenAI Chat Completions `usage`"},
		{key: "usage", in: "input_tokens", out: "output_tokens", total: "total_tokens", framework: "OpenAI Responses, Anthropic, Pydantic AI `RequestUsage`"},
		{key: "usageMetadata", in: "promptTokenCount", out: "candidatesTokenCount", total: "totalTokenCount", framework: "Gemini"},
	},
}
