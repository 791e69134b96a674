package mapping

// firebaseGenkit is Firebase Genkit (Go and JS): only genkit:* attributes
// (go/core/tracing/tracing.go). Every action span carries genkit:name, genkit:input and
// genkit:output (JSON), genkit:state; genkit:metadata:subtype says what the action is.
var firebaseGenkit = &dialect{
	name:    convGenkit,
	title:   "Firebase Genkit (Go and JS)",
	markers: []string{"genkit:type", "genkit:name"},
	kinds: []kindRule{
		{rank: 37, key: "genkit:metadata:subtype", marks: true, others: true, lower: true, values: map[string]kindOp{
			"flow":  {kind: kindAgent},
			"model": {kind: kindLLM}, "embedder": {kind: kindLLM},
			"tool": {kind: kindTool}, "tool.v2": {kind: kindTool, op: "tool"},
		}},
		{rank: 38, key: "genkit:type", marks: true, others: true, lower: true, doc: "spans without a subtype (`flowStep`, `util`…)"},
	},
	fields: map[field][]alias{
		fieldRequestModel: {{
			key: "genkit:name", form: formProviderModel, kinds: kinds(kindLLM),
			doc: "the model action `provider/model`: model, and provider when no other attribute names one",
		}},
		fieldAgentSpanName: {{key: "genkit:name"}},
		fieldFailed:        {{key: "genkit:state", form: formFailure, match: "error"}},
		fieldTokensIn:      {{key: "genkit:output", member: "usage.inputTokens", form: formCount}},
		fieldTokensOut:     {{key: "genkit:output", member: "usage.outputTokens", form: formCount}},
		fieldTokensTotal:   {{key: "genkit:output", member: "usage.totalTokens", form: formCount}},
		fieldEntityInput: {{
			key: "genkit:input", form: formEntity,
			doc: "model: `{messages:[{role, content:[{text} | {toolRequest} | {toolResponse}]}]}` (a `toolResponse` is a tool result given back); flow: its input",
		}},
		fieldEntityOutput: {{
			key: "genkit:output", form: formEntity,
			doc: "model: `{message:{role:\"model\", content}, finishReason}`; `toolRequest` parts `{name, ref, input}` → requested tool calls; flow: its output",
		}},
		fieldToolName:   {{key: "genkit:name"}},
		fieldToolArgs:   {{key: "genkit:input", form: formValue}},
		fieldToolResult: {{key: "genkit:output", form: formUnwrapOutput, doc: "`{\"output\": x}` (tool.v2) → x"}},
	},
	usage: []usageShape{
		{key: "usage", in: "inputTokens", out: "outputTokens", total: "totalTokens", framework: "Genkit `GenerateResponse.usage`, Vercel AI SDK"},
	},
}
