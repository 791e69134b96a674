package mapping

import "strings"

// vercelAI is the Vercel AI SDK's own ai.* spans (v4–v6). Its v7 spans (@ai-sdk/otel) speak GenAI.
var vercelAI = &dialect{
	name:       convVercel,
	title:      "Vercel AI SDK v6 (and v4/v5 `ai.*` spans)",
	recognise:  isVercelSpan,
	marksSpans: true,
	kinds: []kindRule{
		{
			rank: 40, key: "ai.operationId", value: vercelOperation, ownSpans: true, others: true,
			doc: "`ai.operationId`, else the span name",
			values: map[string]kindOp{
				"ai.generatetext": {kind: kindAgent}, "ai.streamtext": {kind: kindAgent},
				"ai.generateobject": {kind: kindAgent}, "ai.streamobject": {kind: kindAgent},
				"ai.toolcall": {kind: kindTool},
			},
			suffixes: map[string]kindOp{".dogenerate": {kind: kindLLM}, ".dostream": {kind: kindLLM}, ".doembed": {kind: kindLLM}},
		},
	},
	fields: map[field][]alias{
		fieldRequestModel:  {{key: "ai.model.id"}},
		fieldResponseModel: {{key: "ai.response.model"}},
		fieldProvider:      {{key: "ai.model.provider"}},
		fieldAgentSpanName: {{key: "ai.telemetry.functionId"}},
		fieldFinishReason:  {{key: "ai.response.finishReason"}},
		fieldTokensIn:      {{key: "ai.usage.inputTokens", form: formCount}, {key: "ai.usage.promptTokens", form: formCount, doc: "older"}},
		fieldTokensOut:     {{key: "ai.usage.outputTokens", form: formCount}, {key: "ai.usage.completionTokens", form: formCount, doc: "older"}},
		fieldTokensTotal:   {{key: "ai.usage.totalTokens", form: formCount}},
		fieldInput: {
			{key: "ai.prompt.messages", form: formMessages, doc: "model calls: `[{role, content: string | [{type:\"text\"}, {type:\"tool-call\"}, {type:\"tool-result\"}]}]`"},
			{key: "ai.prompt", form: formVercelPrompt, doc: "agent spans: `{system, prompt | messages}`"},
		},
		fieldOutput: {{
			key: "ai.response.text", also: []string{"ai.response.reasoning", "ai.response.toolCalls"}, form: formVercelResponse,
			doc: "one assistant message; `ai.response.toolCalls` `[{toolCallId, toolName, args | input}]` → requested tool calls",
		}},
		fieldToolName:   {{key: "ai.toolCall.name"}},
		fieldToolCallID: {{key: "ai.toolCall.id"}},
		fieldToolArgs:   {{key: "ai.toolCall.args", form: formValue}, {key: "ai.toolCall.input", form: formValue}},
		fieldToolResult: {{key: "ai.toolCall.result", form: formValue}, {key: "ai.toolCall.output", form: formValue}},
	},
}

// vercelOperation is ai.operationId, else a span name starting "ai.".
func vercelOperation(a *attrView, spanName string) (string, bool) {
	if op, ok := a.str("ai.operationId"); ok && op != "" {
		return op, true
	}
	if strings.HasPrefix(spanName, "ai.") {
		return spanName, true
	}
	return "", false
}

func isVercelSpan(a *attrView, spanName string) bool {
	op, ok := vercelOperation(a, spanName)
	if !ok {
		return false
	}
	return strings.HasPrefix(op, "ai.") || a.has("ai.model.id") || a.has("ai.toolCall.name")
}

// vercelPrompt reads ai.prompt: {"system": …, "prompt": "…"} or {"system": …, "messages": […]}.
func vercelPrompt(v any, f *facts) []message {
	m, ok := v.(map[string]any)
	if !ok {
		return parseMessages(v, "user")
	}
	if s := getStr(m, "system"); s != "" {
		f.system = append(f.system, s)
	}
	var out []message
	switch p := m["prompt"].(type) {
	case string:
		out = append(out, message{role: "user", parts: []part{{kind: partText, text: p}}})
	case []any:
		out = append(out, parseMessages(p, "user")...)
	}
	if msgs, ok := m["messages"]; ok {
		out = append(out, parseMessages(msgs, "user")...)
	}
	return out
}

// vercelResponse reads ai.response.text, .reasoning and .toolCalls into one assistant message.
func vercelResponse(a *attrView, al alias, f *facts) bool {
	var out message
	if s, ok := a.str(al.key); ok {
		out.parts = append(out.parts, part{kind: partText, text: s})
	}
	if s, ok := a.str(al.also[0]); ok && s != "" {
		out.parts = append(out.parts, part{kind: partReasoning, text: s})
	}
	if v, ok := a.structuredPresent(al.also[1]); ok {
		if list, ok := v.([]any); ok {
			for _, c := range list {
				out.parts = appendPart(out.parts, withType(c, "tool_call"))
			}
		} else {
			a.release(al.also[1])
			a.p.malformed = true
		}
	}
	if len(out.parts) == 0 {
		return false
	}
	out.role = "assistant"
	f.outputs = append(f.outputs, out)
	return true
}
