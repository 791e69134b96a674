package mapping

// openInference is Arize's OpenInference convention (Phoenix; LangChain, LlamaIndex, OpenAI Agents
// SDK and other instrumentations).
var openInference = &dialect{
	name:    convOpenInference,
	title:   "OpenInference",
	markers: []string{"openinference.span.kind"},
	kinds: []kindRule{
		{rank: 20, key: "openinference.span.kind", marks: true, others: true, lower: true, values: map[string]kindOp{
			"agent": {kind: kindAgent, op: "agent"},
			"llm":   {kind: kindLLM, op: "llm"}, "embedding": {kind: kindLLM, op: "embedding"},
			"tool": {kind: kindTool, op: "tool"},
		}},
		// Methods OpenInference marks LLM that call no model: their spans would be a model call
		// without tokens and the prepared messages as inputs and outputs a second time.
		{
			rank: 19, value: spanNameValue, ownSpans: true, suffixes: openInferenceNotModelCalls,
			doc: "span names ending in a method that prepares a model call (LlamaIndex `._prepare_chat_with_tools`) are not model calls",
		},
	},
	fields: map[field][]alias{
		fieldResponseModel: {{key: "llm.model_name"}},
		fieldProvider:      {{key: "llm.provider"}, {key: "llm.system"}},
		fieldAgentName:     {{key: "agent.name"}},
		fieldAgentID:       {{key: "agent.id"}},
		fieldAgentVersion:  {{key: "agent.version"}},
		fieldTokensIn:      {{key: "llm.token_count.prompt", form: formCount}},
		fieldTokensOut:     {{key: "llm.token_count.completion", form: formCount}},
		fieldTokensTotal:   {{key: "llm.token_count.total", form: formCount}},
		fieldCost: {
			{key: "llm.cost.total", form: formNumber},
			{key: "llm.cost.prompt", also: []string{"llm.cost.completion"}, form: formCostSum, doc: "`llm.cost.prompt` + `llm.cost.completion`"},
		},
		fieldInput: {{
			key: "llm.input_messages.", form: formFlatMessages,
			doc: "`llm.input_messages.N.message.role` / `.content` / `.contents.M.message_content.{type,text}`; role `tool` with `.tool_call_id` is a tool result given back",
		}},
		fieldOutput: {{
			key: "llm.output_messages.", form: formFlatMessages,
			doc: "`llm.output_messages.N.message.*`; `.tool_calls.M.tool_call.{id, function.name, function.arguments}` → requested tool calls",
		}},
		fieldEntityInput:  {{key: "input.value", form: formEntity}},
		fieldEntityOutput: {{key: "output.value", form: formEntity}},
		fieldToolName:     {{key: "tool.name"}, {key: "tool_call.function.name"}},
		fieldToolCallID:   {{key: "tool_call.id"}},
		fieldToolArgs: {
			{key: "tool_call.function.arguments", form: formValue},
			{key: "input.value", form: formKwargs, doc: "LlamaIndex's `{\"kwargs\":{…}}` and smolagents' `{\"args\":[],\"kwargs\":{…},\"sanitize_inputs_outputs\":…}` are unwrapped to the keyword arguments"},
			{key: "tool.parameters", form: formValue},
		},
		fieldToolResult: {{key: "output.value", form: formValue}},
	},
	reprs: []reprForm{
		{class: "ChatMessage", text: []string{"content", "blocks"}, framework: "LlamaIndex `llama_index.core.llms.ChatMessage`, smolagents `ChatMessage`"},
		{class: "TextBlock", text: []string{"text"}, framework: "LlamaIndex content block"},
		{class: "ChatResponse", text: []string{"message"}, framework: "LlamaIndex"},
		{class: "CompletionResponse", text: []string{"text"}, framework: "LlamaIndex"},
		{class: "AgentOutput", text: []string{"response"}, framework: "LlamaIndex agent workflows"},
		{class: "AgentChatResponse", text: []string{"response"}, framework: "LlamaIndex chat engines and agents"},
		{class: "Response", text: []string{"response", "output_text"}, framework: "LlamaIndex query engines; OpenAI Responses"},
		{class: "ActionOutput", text: []string{"output"}, framework: "smolagents"},
		{class: "FinalAnswerStep", text: []string{"output", "final_answer"}, framework: "smolagents"},
		{class: "RunResult", text: []string{"output", "final_output"}, framework: "smolagents, OpenAI Agents SDK"},
	},
	answerTools:    []answerTool{{name: "final_answer", arg: "answer", framework: "smolagents"}},
	promptPrefixes: []string{"New task:\n"}, // smolagents' task template
	entryArgs: []entryCall{{
		text: "task", others: []string{"stream", "reset", "images", "additional_args", "max_steps", "return_full_result"},
		framework: "smolagents `MultiStepAgent.run`",
	}},
	usage: []usageShape{
		{key: "token_usage", in: "input_tokens", out: "output_tokens", total: "total_tokens", framework: "smolagents `TokenUsage`"},
	},
	entities: []entityForm{
		// The agent span's input.value is Task._execute_core(agent, context, tools): the agent's
		// configuration and tools are plumbing; context is what earlier tasks handed this one.
		{members: []string{"agent", "context", "tools"}, text: "context", framework: "CrewAI `Task._execute_core`"},
	},
}

// openInferenceNotModelCalls are the (lowercased) ends of span names OpenInference's LlamaIndex
// instrumentation marks LLM for methods that only build the request.
var openInferenceNotModelCalls = map[string]kindOp{
	"._prepare_chat_with_tools": {kind: kindOther, op: "prepare"},
}

// spanNameValue is a kind rule's value read from the span name.
func spanNameValue(_ *attrView, spanName string) (string, bool) { return spanName, spanName != "" }
