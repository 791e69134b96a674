package mapping

import (
	"bytes"
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fuzzKeys are the attributes the mapping interprets; fuzz input decides which get what.
var fuzzKeys = []string{
	"gen_ai.operation.name", "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions",
	"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cost", "gen_ai.request.model",
	"gen_ai.tool.name", "gen_ai.tool.call.id", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result",
	"gen_ai.response.finish_reasons", "error.type", "session.id", "metadata", "gen_ai.prompt", "gen_ai.completion",
	"ai.prompt", "ai.prompt.messages", "ai.response.text", "ai.response.toolCalls", "ai.toolCall.args",
	"openinference.span.kind", "input.value", "output.value", "llm.input_messages.0.message.content",
	"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", "llm.output_messages.0.message.role",
	"gen_ai.prompt.0.content", "gen_ai.completion.0.tool_calls.0.arguments", "traceloop.span.kind",
	"traceloop.entity.input", "agent.reasoning.plan", "agent.reasoning.confidence", "agent.reasoning.thought",
	"content", "message", "tool_calls",
}

var fuzzEvents = []string{
	"exception", "gen_ai.user.message", "gen_ai.choice", "gen_ai.system.message", "gen_ai.tool.message",
	"gen_ai.assistant.message", "gen_ai.client.inference.operation.details", "agent.reasoning", "gen_ai.content.prompt",
}

var fuzzOps = []string{"invoke_agent", "chat", "execute_tool", "agent_step"}

// putFuzzValue stores raw as a string, or, when flagged and it is JSON, as a structured AnyValue.
func putFuzzValue(v pcommon.Value, raw []byte, structured bool) {
	if structured {
		var doc any
		if json.Unmarshal(raw, &doc) == nil && v.FromRaw(doc) == nil {
			return
		}
	}
	v.SetStr(string(raw))
}

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"\x01[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]\x00\x82[{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"c\",\"name\":\"t\",\"arguments\":{\"a\":1}}]}]",
		"\x04\"12\"\x00\x05{\"x\":1}\x00\x0etoken\x00\x0f{\"sessionId\":\"s\"}",
		"\x13{\"system\":\"s\",\"prompt\":\"p\"}\x00\x15[{\"toolCallId\":\"1\",\"toolName\":\"w\",\"args\":\"{}\"}]",
		"\x9a[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\x00\x22\xff\xfe",
		"\x17LLM\x00\x1a[{\"role\":\"tool\",\"content\":\"r\"}]\x00\x21AGENT",
		"\x22[\"a\",{\"b\":2}]\x00\x231.5\x00\x24thought",
	} {
		f.Add([]byte(s))
	}
}

func FuzzMapTraces(f *testing.F) {
	fuzzSeeds(f)
	m := New(Options{MaxContentBytes: 64})
	f.Fuzz(func(t *testing.T, data []byte) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		ss := rs.ScopeSpans().AppendEmpty()
		spans := make([]ptrace.Span, 3)
		for i := range spans {
			spans[i] = ss.Spans().AppendEmpty()
			spans[i].SetTraceID(traceID(1))
			spans[i].SetSpanID(spanID(byte(i + 1)))
			if i > 0 {
				spans[i].SetParentSpanID(spanID(1))
			}
			spans[i].SetStartTimestamp(at(i * 10))
			spans[i].SetEndTimestamp(at(i*10 + 5))
			spans[i].Attributes().PutStr("gen_ai.operation.name", fuzzOps[i])
		}
		for i, field := range bytes.Split(data, []byte{0}) {
			if len(field) == 0 {
				continue
			}
			sel, raw := field[0], field[1:]
			span := spans[i%len(spans)]
			switch {
			case sel&0x40 != 0:
				ev := span.Events().AppendEmpty()
				ev.SetName(fuzzEvents[int(sel)%len(fuzzEvents)])
				putFuzzValue(ev.Attributes().PutEmpty(fuzzKeys[int(sel)%len(fuzzKeys)]), raw, sel&0x80 != 0)
			case sel&0x20 != 0 && i%5 == 0:
				span.Status().SetCode(ptrace.StatusCodeError)
				span.Status().SetMessage(string(raw))
			default:
				putFuzzValue(span.Attributes().PutEmpty(fuzzKeys[int(sel&0x3f)%len(fuzzKeys)]), raw, sel&0x80 != 0)
			}
		}
		recs, _ := m.MapTraces(td, observed)
		again, _ := m.MapTraces(td, observed)
		checkRecords(t, recs, again)
	})
}

func FuzzMapLogs(f *testing.F) {
	fuzzSeeds(f)
	m := New(Options{MaxContentBytes: 64})
	f.Fuzz(func(t *testing.T, data []byte) {
		ld := plog.NewLogs()
		sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
		for i, field := range bytes.Split(data, []byte{0}) {
			if len(field) == 0 {
				continue
			}
			sel, raw := field[0], field[1:]
			lr := sl.LogRecords().AppendEmpty()
			name := fuzzEvents[int(sel)%len(fuzzEvents)]
			if sel&0x20 != 0 {
				lr.Attributes().PutStr("event.name", name)
			} else {
				lr.SetEventName(name)
			}
			if sel&0x10 != 0 {
				lr.SetTraceID(traceID(1))
				lr.SetSpanID(spanID(byte(i%3 + 1)))
			}
			lr.SetTimestamp(at(i))
			if sel&0x40 != 0 {
				putFuzzValue(lr.Body(), raw, sel&0x80 != 0)
			} else {
				putFuzzValue(lr.Attributes().PutEmpty(fuzzKeys[int(sel)%len(fuzzKeys)]), raw, sel&0x80 != 0)
			}
		}
		recs, _ := m.MapLogs(ld, observed)
		again, _ := m.MapLogs(ld, observed)
		checkRecords(t, recs, again)
	})
}
