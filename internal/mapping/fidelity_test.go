package mapping

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// The fixtures of this file are the shapes real frameworks produce for one agent turn that calls a
// tool which fails, each reduced to what the rule under test needs (issue: one event, one record).

var deletionDenied = map[string]any{"exception.type": "PermissionError", "exception.message": "permission denied: /tmp/report.txt"}

// failingTurn is workflow → agent → (chat, execute_tool deleteFile raising PermissionError) in
// trace tr. agentEvents are the agent span's own exception events.
func failingTurn(tr byte, agentStatusMsg string, agentEvents []eventSpec) []spanSpec {
	return []spanSpec{
		{name: "invoke_workflow weather", trace: tr, id: 1, start: 0, end: 900, status: ptrace.StatusCodeError, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_workflow", "gen_ai.workflow.name": "weather", "session.id": "s-1", "user.id": "u-1",
		}},
		{name: "invoke_agent helper", trace: tr, id: 2, parent: 1, start: 10, end: 890, status: ptrace.StatusCodeError, statusMsg: agentStatusMsg, events: agentEvents, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "helper",
		}},
		{name: "chat gpt-4o", trace: tr, id: 3, parent: 2, start: 20, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_d","name":"deleteFile","arguments":{"path":"/tmp/report.txt"}}]}]`,
		}},
		{
			name: "execute_tool deleteFile", trace: tr, id: 4, parent: 2, start: 110, end: 120, status: ptrace.StatusCodeError, statusMsg: "permission denied: /tmp/report.txt",
			events: []eventSpec{{name: "exception", at: 119, attrs: deletionDenied}},
			attrs:  map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "deleteFile", "gen_ai.tool.call.id": "call_d"},
		},
	}
}

// A tool failure that travels up the agent and the workflow spans (status errors, a wrapped
// message) is one error record, at the tool, naming the spans it reached; an agent that then fails
// on its own (another exception) keeps its own record, and the workflow above it folds into that.
func TestErrorsFoldIntoTheSpanWhereTheyStarted(t *testing.T) {
	propagated := failingTurn(1, "Tool 'deleteFile' failed: permission denied: /tmp/report.txt", nil)
	independent := failingTurn(2, "", []eventSpec{{name: "exception", at: 880, attrs: map[string]any{
		"exception.type": "TimeoutError", "exception.message": "run budget exceeded",
	}}})
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "fixture", spans: append(propagated, independent...)}))
	byTrace := map[string][]*auditrecord.Record{}
	for _, r := range ofType(recs, auditrecord.TypeError) {
		byTrace[r.TraceID] = append(byTrace[r.TraceID], r)
	}
	one := byTrace[hexTrace(1)]
	if len(one) != 1 || one[0].SpanID != hexSpan(4) || one[0].Error.Type != "PermissionError" ||
		!slices.Equal(one[0].Error.PropagatedTo, []string{hexSpan(2), hexSpan(1)}) {
		t.Errorf("propagated failure: want one PermissionError at the tool, propagated to agent and workflow; got %s", describe(one))
	}
	two := byTrace[hexTrace(2)]
	if len(two) != 2 {
		t.Fatalf("independent agent failure: want the tool's error and the agent's, got %s", describe(two))
	}
	tool, agent := two[0], two[1]
	if tool.SpanID != hexSpan(4) || len(tool.Error.PropagatedTo) != 0 {
		t.Errorf("tool error %s: the agent's own failure is not the tool's", describe(two[:1]))
	}
	if agent.SpanID != hexSpan(2) || agent.Error.Type != "TimeoutError" || !slices.Equal(agent.Error.PropagatedTo, []string{hexSpan(1)}) {
		t.Errorf("agent error %s: want TimeoutError propagated to the workflow", describe(two[1:]))
	}
	for _, r := range ofType(recs, auditrecord.TypeAgentRun) {
		if r.AgentRun.Status != "error" {
			t.Errorf("agent_run %s: status %q, the span still failed", r.SpanID, r.AgentRun.Status)
		}
	}
	assertGolden(t, "error_folding", recs)
}

func describe(recs []*auditrecord.Record) string {
	var b strings.Builder
	for _, r := range recs {
		line, _ := auditrecord.MarshalRecord(r)
		b.WriteString("\n  ")
		b.Write(line)
	}
	return b.String()
}

// answerTurn is an agent turn whose final answer the agent span and the last model call both carry;
// the first model call only asks for a tool.
func answerTurn(finalAttrs map[string]any, events []eventSpec) []spanSpec {
	chat := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(50), "gen_ai.usage.output_tokens": int64(7)}
	for k, v := range finalAttrs {
		chat[k] = v
	}
	return []spanSpec{
		{name: "invoke_agent helper", id: 1, start: 0, end: 900, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "helper", "session.id": "s-1", "user.id": "u-1",
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"It is sunny in Paris."}]}]`,
		}},
		{name: "chat gpt-4o", id: 2, parent: 1, start: 10, end: 100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.response.finish_reasons": []any{"tool_calls"},
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_w","name":"getWeather","arguments":{"city":"Paris"}}]}]`,
		}},
		{name: "execute_tool getWeather", id: 3, parent: 1, start: 110, end: 120, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "getWeather", "gen_ai.tool.call.id": "call_w",
		}},
		{name: "chat gpt-4o", id: 4, parent: 1, start: 130, end: 200, attrs: chat, events: events},
	}
}

// The final answer is one output record per turn, with the model call's model and tokens, in every
// form gen_ai.output.messages and gen_ai.choice allow; a model response that only asks for tools is
// no output (its tool_call record says what it asked).
func TestFinalAnswerIsOneOutput(t *testing.T) {
	const answer = "It is sunny in Paris."
	forms := []struct {
		name   string
		attrs  map[string]any
		events []eventSpec
	}{
		{name: "messages JSON", attrs: map[string]any{"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"It is sunny in Paris."}],"finish_reason":"stop"}]`}},
		{name: "one message object", attrs: map[string]any{"gen_ai.output.messages": map[string]any{"role": "assistant", "parts": []any{map[string]any{"type": "text", "content": answer}}}}},
		{name: "parts list", attrs: map[string]any{"gen_ai.output.messages": []any{map[string]any{"type": "text", "content": answer}}}},
		{name: "plain string", attrs: map[string]any{"gen_ai.output.messages": answer}},
		{name: "JSON string in a string", attrs: map[string]any{"gen_ai.output.messages": `"It is sunny in Paris."`}},
		{name: "choice event, message a string", events: []eventSpec{{name: "gen_ai.choice", at: 199, attrs: map[string]any{"message": answer, "finish_reason": "stop", "index": int64(0)}}}},
		{name: "choice event, message JSON text", events: []eventSpec{{name: "gen_ai.choice", at: 199, attrs: map[string]any{"message": `{"role":"assistant","content":"It is sunny in Paris."}`}}}},
		{name: "choice event, content", events: []eventSpec{{name: "gen_ai.choice", at: 199, attrs: map[string]any{"content": answer}}}},
	}
	for _, form := range forms {
		t.Run(form.name, func(t *testing.T) {
			recs, stats := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "fixture", spans: answerTurn(form.attrs, form.events)}))
			outs := ofType(recs, auditrecord.TypeOutput)
			if len(outs) != 1 || outs[0].Output.Content != answer || outs[0].SpanID != hexSpan(4) {
				t.Fatalf("want one output %q from the model call, got %s", answer, describe(outs))
			}
			if tok := outs[0].Output.Tokens; tok == nil || *tok.Total != 57 || outs[0].Output.Model != "gpt-4o" {
				t.Errorf("output lacks the model call's model and tokens: %s", describe(outs))
			}
			if stats.Malformed != 0 {
				t.Errorf("a form the conventions allow counted malformed: %+v", stats)
			}
			if calls := ofType(recs, auditrecord.TypeToolCall); len(calls) != 1 {
				t.Errorf("want the executed getWeather only, got %s", describe(calls))
			}
		})
	}
}

// An answer reported by the span and again by a gen_ai.choice log record (the OTel OpenAI
// instrumentations) is one output record, whichever signal the exporter maps first.
func TestFinalAnswerOnceAcrossSignals(t *testing.T) {
	const answer = "It is sunny in Paris."
	spans := buildTraces(t, resourceSpec{scope: "fixture", spans: answerTurn(map[string]any{"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"It is sunny in Paris."}]}]`}, nil)})
	logs := buildLogs(t, nil, "fixture", logSpec{eventName: "gen_ai.choice", trace: 1, span: 4, at: 199, body: map[string]any{"message": map[string]any{"content": answer}, "index": int64(0)}})
	for _, order := range []string{"spans first", "logs first"} {
		t.Run(order, func(t *testing.T) {
			m := New(Options{})
			var recs []*auditrecord.Record
			if order == "spans first" {
				a, _ := m.MapTraces(spans, observed)
				b, _ := m.MapLogs(logs, observed)
				recs = slices.Concat(a, b)
			} else {
				b, _ := m.MapLogs(logs, observed)
				a, _ := m.MapTraces(spans, observed)
				recs = slices.Concat(b, a)
			}
			if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 1 || outs[0].Output.Content != answer {
				t.Errorf("want the answer once, got %s", describe(outs))
			}
		})
	}
}

// Framework objects stored as their Python repr are decoded to the text they hold, with the
// model and tokens they carry when the span has no GenAI usage attributes; a repr of a class no
// table knows stays as it is and is counted.
func TestFrameworkReprsDecodeToText(t *testing.T) {
	const answer = "It is sunny in Paris.\nI could not delete it: 'permission denied'."
	forms := []struct {
		name, value string
		tokens      int64 // 0: none carried
		model       string
	}{
		{name: "LlamaIndex ChatMessage (content)", value: `ChatMessage(role=<MessageRole.ASSISTANT: 'assistant'>, content='It is sunny in Paris.\nI could not delete it: \'permission denied\'.', additional_kwargs={})`},
		{name: "LlamaIndex ChatMessage (blocks)", value: `ChatMessage(role=<MessageRole.ASSISTANT: 'assistant'>, additional_kwargs={}, blocks=[TextBlock(block_type='text', text="It is sunny in Paris.\nI could not delete it: 'permission denied'.")])`},
		{name: "LlamaIndex AgentOutput", value: `AgentOutput(response=ChatMessage(role=<MessageRole.ASSISTANT: 'assistant'>, additional_kwargs={}, blocks=[TextBlock(block_type='text', text="It is sunny in Paris.\nI could not delete it: 'permission denied'.")]), tool_calls=[], raw=None, current_agent_name='Agent')`},
		{
			name: "smolagents ChatMessage with TokenUsage", tokens: 117, model: "mock-gpt-4o",
			value: `ChatMessage(role=<MessageRole.ASSISTANT: 'assistant'>, content="It is sunny in Paris.\nI could not delete it: 'permission denied'.", tool_calls=None, raw=None, token_usage=TokenUsage(input_tokens=96, output_tokens=21, total_tokens=117), model_id='mock-gpt-4o')`,
		},
		{
			name: "OpenAI ChatCompletion with usage", tokens: 117, model: "mock-gpt-4o",
			value: `ChatCompletion(id='chatcmpl-1', choices=[Choice(finish_reason='stop', index=0, logprobs=None, message=ChatCompletionMessage(content="It is sunny in Paris.\nI could not delete it: 'permission denied'.", refusal=None, role='assistant', annotations=[], audio=None, function_call=None, tool_calls=None))], created=1, model='mock-gpt-4o', object='chat.completion', usage=CompletionUsage(completion_tokens=21, prompt_tokens=96, total_tokens=117, completion_tokens_details=None))`,
		},
		{
			name: "LangChain AIMessage with usage_metadata", tokens: 117,
			value: `AIMessage(content="It is sunny in Paris.\nI could not delete it: 'permission denied'.", additional_kwargs={'refusal': None}, response_metadata={'finish_reason': 'stop'}, id='run-1', usage_metadata={'input_tokens': 96, 'output_tokens': 21, 'total_tokens': 117})`,
		},
		{
			name: "Pydantic AI ModelResponse", tokens: 117, model: "mock-gpt-4o",
			value: `ModelResponse(parts=[TextPart(content="It is sunny in Paris.\nI could not delete it: 'permission denied'.")], usage=RequestUsage(input_tokens=96, output_tokens=21), model_name='mock-gpt-4o', timestamp=datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.timezone.utc))`,
		},
		{name: "Semantic Kernel ChatMessageContent", value: `ChatMessageContent(inner_content=None, ai_model_id='mock-gpt-4o', metadata={}, content_type='message', role=<AuthorRole.ASSISTANT: 'assistant'>, name=None, items=[TextContent(inner_content=None, ai_model_id=None, metadata={}, content_type='text', text="It is sunny in Paris.\nI could not delete it: 'permission denied'.", encoding=None)], encoding=None, finish_reason=<FinishReason.STOP: 'stop'>)`},
	}
	for _, form := range forms {
		t.Run(form.name, func(t *testing.T) {
			td := buildTraces(t, resourceSpec{scope: "fixture", spans: []spanSpec{
				{name: "agent", id: 1, start: 0, end: 900, attrs: map[string]any{"openinference.span.kind": "AGENT", "output.value": form.value}},
				{name: "llm", id: 2, parent: 1, start: 10, end: 800, attrs: map[string]any{"openinference.span.kind": "LLM", "output.value": form.value}},
			}})
			recs, stats := mapTraces(t, New(Options{}), td)
			outs := ofType(recs, auditrecord.TypeOutput)
			if len(outs) != 1 || outs[0].Output.Content != answer {
				t.Fatalf("want one output with the text, got %s", describe(outs))
			}
			if stats.UnknownReprs != 0 {
				t.Errorf("a known repr counted unknown: %+v", stats)
			}
			call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall
			switch {
			case form.tokens == 0 && call.Tokens != nil:
				t.Errorf("tokens %s from nowhere", mustJSON(t, call.Tokens))
			case form.tokens != 0 && (call.Tokens == nil || *call.Tokens.Total != form.tokens || *call.Tokens.Input != 96):
				t.Errorf("llm_call tokens %s, want input 96 total %d", mustJSON(t, call.Tokens), form.tokens)
			}
			if form.model != "" && call.Model != form.model {
				t.Errorf("llm_call model %q, want %q", call.Model, form.model)
			}
		})
	}
	t.Run("unknown class stays and is counted", func(t *testing.T) {
		const unknown = `WeirdResult(value='It is sunny', score=0.9)`
		td := buildTraces(t, resourceSpec{scope: "fixture", spans: []spanSpec{
			{name: "llm", id: 2, start: 10, end: 800, attrs: map[string]any{"openinference.span.kind": "LLM", "output.value": unknown}},
		}})
		recs, stats := mapTraces(t, New(Options{}), td)
		if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 1 || outs[0].Output.Content != unknown || stats.UnknownReprs != 1 {
			t.Errorf("want the repr kept and counted once, got %s, stats %+v", describe(outs), stats)
		}
	})
}

// A chat completion's own JSON (a framework's output.value, a Genkit response) gives the tokens
// and model when no usage attribute does.
func TestNativeUsageObjects(t *testing.T) {
	docs := map[string]string{
		"OpenAI chat completion JSON": `{"id":"c1","model":"mock-gpt-4o","choices":[{"message":{"role":"assistant","content":"Done."},"finish_reason":"stop"}],"usage":{"prompt_tokens":96,"completion_tokens":21,"total_tokens":117}}`,
		"Gemini response JSON":        `{"modelVersion":"mock-gpt-4o","candidates":[],"message":{"role":"model","content":"Done."},"usageMetadata":{"promptTokenCount":96,"candidatesTokenCount":21,"totalTokenCount":117}}`,
		"Genkit response JSON":        `{"message":{"role":"model","content":[{"text":"Done."}]},"finishReason":"stop","usage":{"inputTokens":96,"outputTokens":21,"totalTokens":117},"model":"mock-gpt-4o"}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			td := buildTraces(t, resourceSpec{scope: "fixture", spans: []spanSpec{
				{name: "llm", id: 2, start: 10, end: 800, attrs: map[string]any{"openinference.span.kind": "LLM", "output.value": doc}},
			}})
			recs, _ := mapTraces(t, New(Options{}), td)
			call := ofType(recs, auditrecord.TypeLLMCall)[0].LLMCall
			if call.Tokens == nil || *call.Tokens.Input != 96 || *call.Tokens.Output != 21 || *call.Tokens.Total != 117 || call.Model != "mock-gpt-4o" {
				t.Errorf("llm_call %s: want the document's model and usage", mustJSON(t, call))
			}
			if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 1 || outs[0].Output.Content != "Done." {
				t.Errorf("outputs %s", describe(outs))
			}
		})
	}
}

// Broken or foreign reprs neither panic nor lose the text: it stays, and counts as unknown.
func TestBrokenReprsStay(t *testing.T) {
	for _, s := range []string{
		"ChatMessage(content=)", "ChatMessage(content='unterminated)", "<Foo object at 0x7f00>",
		"ChatMessage(content='a', content2=<MessageRole.X 'x'>)", "AIMessage(content='\\x')" + ")", strings.Repeat("ChatMessage(content=", 40) + "'x'" + strings.Repeat(")", 40),
	} {
		td := buildTraces(t, resourceSpec{scope: "fixture", spans: []spanSpec{
			{name: "llm", id: 2, start: 10, end: 800, attrs: map[string]any{"openinference.span.kind": "LLM", "output.value": s}},
		}})
		recs, stats := mapTraces(t, New(Options{}), td)
		if outs := ofType(recs, auditrecord.TypeOutput); len(outs) != 1 || outs[0].Output.Content != s || stats.UnknownReprs != 1 {
			t.Errorf("%q: want it kept and counted, got %s, stats %+v", s, describe(outs), stats)
		}
	}
}

// The demo agent's shape (internal/agentsim): the model call's output has the thought as a reasoning
// part, and the agent logs the same thought with its plan and confidence as an agent.reasoning log
// record on the agent span. One thought, one record: the log's, whichever pipeline is mapped first
// (for spans first, the exporter waits for the awaited log as it does here).
func TestThoughtReportedTwiceIsOneRecord(t *testing.T) {
	const thought = "I need the forecast first."
	res := map[string]any{"service.name": "agentsim-travel"}
	spans := func(tr byte) ptrace.Traces {
		return buildTraces(t, resourceSpec{attrs: res, scope: "fixture", spans: []spanSpec{
			{name: "invoke_agent travel", trace: tr, id: 1, start: 0, end: 900, attrs: map[string]any{"gen_ai.operation.name": "invoke_agent", "session.id": "s-1", "user.id": "u-1"}},
			{name: "chat gpt-4o", trace: tr, id: 2, parent: 1, start: 10, end: 100, attrs: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "session.id": "s-1", "user.id": "u-1",
				"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"reasoning","content":"I need the forecast first."},{"type":"text","content":"Sunny."}]}]`,
			}},
		}})
	}
	logs := func(tr byte) []logSpec {
		return []logSpec{{eventName: "agent.reasoning", trace: tr, span: 1, at: 100, body: map[string]any{
			"thought": thought, "plan": []any{"get_weather", "answer"}, "confidence": 0.8,
		}, attrs: map[string]any{"session.id": "s-1", "user.id": "u-1"}}}
	}
	check := func(t *testing.T, recs []*auditrecord.Record) {
		t.Helper()
		thoughts := ofType(recs, auditrecord.TypeReasoning)
		if len(thoughts) != 1 || thoughts[0].Reasoning.Thought != thought || len(thoughts[0].Reasoning.Plan) != 2 || thoughts[0].Reasoning.Confidence == nil {
			t.Errorf("want one reasoning record with plan and confidence, got %s", describe(thoughts))
		}
	}
	t.Run("logs first", func(t *testing.T) {
		m := New(Options{})
		a, _ := m.MapLogs(buildLogs(t, res, "fixture", logs(1)...), observed)
		b, _ := m.MapTraces(spans(1), observed)
		check(t, slices.Concat(a, b))
	})
	t.Run("spans first, the exporter waiting", func(t *testing.T) {
		m := New(Options{})
		// An earlier turn: the service reports its thoughts on both signals.
		m.MapLogs(buildLogs(t, res, "fixture", logs(1)...), observed)
		m.MapTraces(spans(1), observed)
		td := spans(2)
		awaited := m.ThoughtsAwaited(td)
		if len(awaited) != 1 {
			t.Fatalf("want the span's thought awaited, got %d keys", len(awaited))
		}
		if m.WaitForThoughts(t.Context(), awaited, time.Millisecond) {
			t.Fatal("the log has not been mapped yet")
		}
		a, _ := m.MapLogs(buildLogs(t, res, "fixture", logs(2)...), observed)
		if !m.WaitForThoughts(t.Context(), awaited, time.Second) {
			t.Fatal("the log was mapped, the wait must end")
		}
		b, _ := m.MapTraces(td, observed)
		check(t, slices.Concat(a, b))
	})
	t.Run("the same thought in two turns is two thoughts", func(t *testing.T) {
		m := New(Options{})
		later := spans(4)
		chat := later.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1)
		chat.SetStartTimestamp(at(60000))
		chat.SetEndTimestamp(at(60100))
		second := logs(4)[0]
		second.at = 60100
		a, _ := m.MapLogs(buildLogs(t, res, "fixture", logs(4)[0], second), observed)
		b, _ := m.MapTraces(spans(4), observed)
		c, _ := m.MapTraces(later, observed)
		if n := len(ofType(slices.Concat(a, b, c), auditrecord.TypeReasoning)); n != 2 {
			t.Errorf("want one reasoning record per turn (2), got %d", n)
		}
	})
	t.Run("a service whose wait brought no log is not waited for again", func(t *testing.T) {
		m := New(Options{})
		keys := m.ThoughtsAwaited(spans(3))
		if len(keys) != 1 || m.WaitForThoughts(t.Context(), keys, time.Millisecond) {
			t.Fatalf("an unknown service's thought is awaited once: %d keys", len(keys))
		}
		m.NoThoughtsLogged(keys)
		if keys := m.ThoughtsAwaited(spans(5)); len(keys) != 0 {
			t.Errorf("awaited %d thoughts of a service known not to log them", len(keys))
		}
	})
}

// A framework that starts a trace per agent turn ties the turns together with span links: a turn's
// records take the session and user of the trace they link to, or of the link's own attributes.
func TestIdentityThroughSpanLinks(t *testing.T) {
	turn := func(tr byte, attrs map[string]any, links []linkSpec) []spanSpec {
		root := map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "helper"}
		for k, v := range attrs {
			root[k] = v
		}
		return []spanSpec{
			{name: "invoke_agent helper", trace: tr, id: 1, start: 0, end: 900, attrs: root, links: links},
			{name: "chat gpt-4o", trace: tr, id: 2, parent: 1, start: 10, end: 100, attrs: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
				"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"turn"}]}]`,
			}},
		}
	}
	first := turn(1, map[string]any{"session.id": "s-1", "user.id": "u-1"}, nil)
	second := turn(2, nil, []linkSpec{{trace: 1, span: 1}})
	third := turn(3, nil, []linkSpec{{trace: 2, span: 1}})                                                                // a chain
	fourth := turn(4, nil, []linkSpec{{trace: 9, span: 1, attrs: map[string]any{"session.id": "s-4", "user.id": "u-4"}}}) // ids on the link
	m := New(Options{})
	recs, _ := mapTraces(t, m, buildTraces(t, resourceSpec{scope: "fixture", spans: slices.Concat(first, second, third, fourth)}))
	for _, r := range recs {
		want := map[string][2]string{hexTrace(1): {"s-1", "u-1"}, hexTrace(2): {"s-1", "u-1"}, hexTrace(3): {"s-1", "u-1"}, hexTrace(4): {"s-4", "u-4"}}[r.TraceID]
		if r.SessionID != want[0] || r.UserID != want[1] {
			t.Errorf("%s record of trace %s: session %q user %q, want %v", r.Type, r.TraceID, r.SessionID, r.UserID, want)
		}
	}
	// Across batches: a turn alone says which trace it links to, for the exporter's identity hold.
	_, stats := m.MapTraces(buildTraces(t, resourceSpec{scope: "fixture", spans: turn(5, nil, []linkSpec{{trace: 1, span: 1}})}), observed)
	if len(stats.Traces) != 1 || !slices.Equal(stats.Traces[0].Links, []string{hexTrace(1)}) || stats.Traces[0].SessionID != "" {
		t.Errorf("trace identities %+v: want trace 5 linking to trace 1, no identity of its own", stats.Traces)
	}
}

// FuzzPyRepr: any text is either parsed or left alone, never a panic, and a parsed repr's text is
// valid to keep (run with go test -fuzz FuzzPyRepr).
func FuzzPyRepr(f *testing.F) {
	for _, s := range []string{
		`ChatMessage(role=<MessageRole.ASSISTANT: 'assistant'>, content='hi\n', blocks=[TextBlock(text="x")])`,
		`ModelResponse(parts=[TextPart(content='a')], usage=RequestUsage(input_tokens=1, output_tokens=2))`,
		`AIMessage(content='a', usage_metadata={'input_tokens': 1, 'output_tokens': 2})`, `<X object at 0x1>`, `F(b'\x00', -1.5e3, (1,), None)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(_ *testing.T, s string) {
		if !looksLikePyRepr(s) {
			return
		}
		if v, ok := parsePyRepr(s); ok {
			_, _ = reprText(v, 0)
			var fs facts
			usageInto(v, &fs)
		}
	})
}

// The tool's failed span exported in one batch and its failed agent and workflow spans in a later
// one: still one error record, the tool's.
func TestErrorsFoldAcrossBatches(t *testing.T) {
	spans := failingTurn(1, "Tool 'deleteFile' failed: permission denied: /tmp/report.txt", nil)
	m := New(Options{})
	first, _ := mapTraces(t, m, buildTraces(t, resourceSpec{scope: "fixture", spans: spans[2:]}))
	later, _ := mapTraces(t, m, buildTraces(t, resourceSpec{scope: "fixture", spans: spans[:2]}))
	if errs := ofType(slices.Concat(first, later), auditrecord.TypeError); len(errs) != 1 || errs[0].SpanID != hexSpan(4) {
		t.Errorf("want the tool's error only, got %s", describe(errs))
	}
	if runs := ofType(later, auditrecord.TypeAgentRun); len(runs) != 1 || runs[0].AgentRun.Status != "error" {
		t.Errorf("the later agent span still says it failed: %s", describe(runs))
	}
	// An agent failing on its own in the later batch keeps its record.
	independent := failingTurn(2, "", []eventSpec{{name: "exception", at: 880, attrs: map[string]any{"exception.type": "TimeoutError", "exception.message": "run budget exceeded"}}})
	mapTraces(t, m, buildTraces(t, resourceSpec{scope: "fixture", spans: independent[2:]}))
	later, _ = mapTraces(t, m, buildTraces(t, resourceSpec{scope: "fixture", spans: independent[:2]}))
	if errs := ofType(later, auditrecord.TypeError); len(errs) != 1 || errs[0].Error.Type != "TimeoutError" {
		t.Errorf("want the agent's own TimeoutError (the workflow folded into it), got %s", describe(errs))
	}
}
