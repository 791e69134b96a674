package mapping

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

func chatSpan(attrs map[string]any) spanSpec {
	base := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}
	for k, v := range attrs {
		base[k] = v
	}
	return spanSpec{name: "chat", id: 1, start: 0, end: 10, attrs: base}
}

func oneSpan(t *testing.T, o Options, s spanSpec) ([]*auditrecord.Record, Stats) {
	t.Helper()
	return mapTraces(t, New(o), buildTraces(t, resourceSpec{spans: []spanSpec{s}}))
}

func TestTokensAsStringAreParsedAndAsMapAreKept(t *testing.T) {
	recs, stats := oneSpan(t, Options{}, chatSpan(map[string]any{
		"gen_ai.usage.input_tokens": "12", "gen_ai.usage.output_tokens": map[string]any{"n": int64(3)},
	}))
	llm := ofType(recs, auditrecord.TypeLLMCall)[0]
	if *llm.LLMCall.Tokens.Input != 12 || llm.LLMCall.Tokens.Output != nil || *llm.LLMCall.Tokens.Total != 12 {
		t.Errorf("tokens %s", mustJSON(t, llm.LLMCall.Tokens))
	}
	if mustJSON(t, llm.Attributes["gen_ai.usage.output_tokens"]) != `{"n":3}` {
		t.Errorf("the unusable token attribute must stay in attributes: %v", llm.Attributes)
	}
	if stats.Malformed != 1 {
		t.Errorf("malformed %d, want 1", stats.Malformed)
	}
}

func TestNegativeTokensAreRejected(t *testing.T) {
	recs, stats := oneSpan(t, Options{}, chatSpan(map[string]any{"gen_ai.usage.input_tokens": int64(-5)}))
	if llm := ofType(recs, auditrecord.TypeLLMCall)[0]; llm.LLMCall.Tokens != nil || llm.Attributes["gen_ai.usage.input_tokens"] != int64(-5) || stats.Malformed != 1 {
		t.Errorf("llm_call %s, malformed %d", mustJSON(t, llm), stats.Malformed)
	}
}

func TestInvalidJSONMessagesKeepTheRawText(t *testing.T) {
	recs, stats := oneSpan(t, Options{}, chatSpan(map[string]any{
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"unterminated`,
	}))
	in := ofType(recs, auditrecord.TypeInput)
	if len(in) != 1 || in[0].Input.Content != `[{"role":"user","parts":[{"type":"text","content":"unterminated` || stats.Malformed != 1 {
		t.Errorf("inputs %s, malformed %d", mustJSON(t, in), stats.Malformed)
	}
}

func TestInvalidUTF8IsRepaired(t *testing.T) {
	bad := "caf\xe9 \xff"
	recs, stats := oneSpan(t, Options{}, chatSpan(map[string]any{
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"` + bad + `"}]}]`,
		"custom\xfe":            bad,
	}))
	for _, r := range recs {
		line, err := auditrecord.MarshalRecord(r)
		if err != nil || !utf8.Valid(line) {
			t.Fatalf("record not valid UTF-8: %v", err)
		}
	}
	if c := ofType(recs, auditrecord.TypeInput)[0].Input.Content; c != "caf\uFFFD \uFFFD" {
		t.Errorf("content %q", c)
	}
	if v := recs[0].Attributes["custom\uFFFD"]; v != "caf\uFFFD \uFFFD" {
		t.Errorf("attributes %v", recs[0].Attributes)
	}
	if stats.Malformed != 1 {
		t.Errorf("malformed %d", stats.Malformed)
	}
}

func TestHugeContentIsTruncated(t *testing.T) {
	huge := strings.Repeat("é", 512<<10) // 1 MiB of two-byte runes
	recs, stats := oneSpan(t, Options{}, chatSpan(map[string]any{
		"gen_ai.output.messages": []any{map[string]any{"role": "assistant", "parts": []any{map[string]any{"type": "text", "content": huge}}}},
		"app.blob":               huge,
	}))
	out := ofType(recs, auditrecord.TypeOutput)[0]
	c := out.Output.Content
	if len(c) > DefaultMaxContentBytes+100 || !strings.HasPrefix(c, "éé") || !strings.Contains(c, "[agentaudit: truncated 786432 of 1048576 bytes]") || !utf8.ValidString(c) {
		t.Errorf("content of %d bytes ends %q", len(c), c[len(c)-60:])
	}
	if s, _ := out.Attributes["app.blob"].(string); len(s) > DefaultMaxContentBytes+100 {
		t.Errorf("attribute kept %d bytes", len(s))
	}
	if stats.Truncated != 1 || stats.Malformed != 1 {
		t.Errorf("stats %+v", stats)
	}

	recs, _ = oneSpan(t, Options{MaxContentBytes: 10}, chatSpan(map[string]any{"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"0123456789abcdef"}]}]`}))
	if c := ofType(recs, auditrecord.TypeOutput)[0].Output.Content; c != "0123456789…[agentaudit: truncated 6 of 16 bytes]" {
		t.Errorf("content %q", c)
	}
}

func nested(depth int) map[string]any {
	m := map[string]any{"leaf": "x"}
	for range depth {
		m = map[string]any{"n": m}
	}
	return m
}

func depthOf(v any) int {
	switch t := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range t {
			d = max(d, depthOf(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range t {
			d = max(d, depthOf(e))
		}
		return d + 1
	}
	return 0
}

func TestDeepNestingIsBounded(t *testing.T) {
	deep := nested(100)
	recs, stats := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{spans: []spanSpec{{
		name: "execute_tool", id: 1, start: 0, end: 1, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "deep", "gen_ai.tool.call.arguments": deep, "app.deep": deep,
		},
	}}}))
	tool := ofType(recs, auditrecord.TypeToolCall)[0]
	if d := depthOf(tool.ToolCall.Parameters); d > maxDepth+1 {
		t.Errorf("parameters nest %d deep", d)
	}
	if d := depthOf(tool.Attributes["app.deep"]); d > maxDepth+1 {
		t.Errorf("attribute nests %d deep", d)
	}
	if !strings.Contains(mustJSON(t, tool.Attributes), "nesting deeper than 32 levels removed") || stats.Malformed != 1 {
		t.Errorf("malformed %d", stats.Malformed)
	}
}

func TestOddValuesStayEncodable(t *testing.T) {
	td := buildTraces(t, resourceSpec{spans: []spanSpec{chatSpan(map[string]any{"app.ratio": math.NaN(), "app.inf": math.Inf(1)})}})
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	span.Attributes().PutEmptyBytes("app.bytes").FromRaw([]byte{0xde, 0xad})
	span.Attributes().PutEmpty("app.empty")
	span.SetTraceID(pcommon.TraceID{}) // no trace context at all
	span.SetSpanID(pcommon.SpanID{})
	recs, _ := mapTraces(t, New(Options{}), td)
	a := recs[0].Attributes
	if a["app.ratio"] != "NaN" || a["app.inf"] != "+Inf" || a["app.bytes"] != "3q0=" || a["app.empty"] != nil || recs[0].TraceID != "" {
		t.Errorf("attributes %v trace %q", a, recs[0].TraceID)
	}
}

func TestToolWithoutNameAndReasoningEvent(t *testing.T) {
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{spans: []spanSpec{{
		name: "execute_tool", id: 1, start: 0, end: 5, status: ptrace.StatusCodeError,
		attrs: map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.result": "partial"},
		events: []eventSpec{{name: "agent.reasoning", at: 1, attrs: map[string]any{
			"agent.reasoning.thought": "retry?", "agent.reasoning.plan": []any{"retry once"}, "agent.reasoning.confidence": 0.3,
		}}},
	}}}))
	tool := ofType(recs, auditrecord.TypeToolCall)[0].ToolCall
	if tool.ToolName != "unknown" || tool.Status != "error" || tool.Result != "partial" {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	r := ofType(recs, auditrecord.TypeReasoning)
	if len(r) != 1 || r[0].Reasoning.Thought != "retry?" || *r[0].Reasoning.Confidence != 0.3 {
		t.Errorf("reasoning %s", mustJSON(t, r))
	}
	e := ofType(recs, auditrecord.TypeError)
	if len(e) != 1 || e[0].Error.Type != "error" || e[0].Error.ToolName != "unknown" {
		t.Errorf("error %s", mustJSON(t, e))
	}
}

func TestUnusableDocumentsStayInAttributes(t *testing.T) {
	recs, stats := oneSpan(t, Options{}, chatSpan(map[string]any{
		"gen_ai.input.messages": int64(5), "gen_ai.response.finish_reasons": map[string]any{"x": "y"},
	}))
	a := recs[0].Attributes
	if a["gen_ai.input.messages"] != int64(5) || a["gen_ai.response.finish_reasons"] == nil || stats.Malformed != 1 {
		t.Errorf("attributes %v, malformed %d", a, stats.Malformed)
	}
	if len(ofType(recs, auditrecord.TypeInput)) != 0 {
		t.Error("a number is not a message")
	}
}

// Failures of spans no AI framework marked (HTTP, database) are not audit records; a failing
// OpenInference CHAIN is.
func TestPlainSpanFailuresAreNotRecorded(t *testing.T) {
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{spans: []spanSpec{
		{name: "GET /health", id: 1, start: 0, end: 1, status: ptrace.StatusCodeError, attrs: map[string]any{"http.response.status_code": int64(500)}},
		{name: "chain", id: 2, start: 0, end: 1, status: ptrace.StatusCodeError, statusMsg: "bad", attrs: map[string]any{"openinference.span.kind": "CHAIN"}},
	}}))
	if len(recs) != 1 || recs[0].SpanID != hexSpan(2) || recs[0].Error.Message != "bad" || recs[0].Error.RelatedRecordID != "" {
		t.Errorf("records %s", mustJSON(t, recs))
	}
}
