package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// acmeMappings is an in-house shape: events told apart by "kind", ids under "ctx", the event under
// "payload"; the answer is recognised by an attribute with a dotted key.
var acmeMappings = []LogMapping{
	{Name: "acme", Event: "tool_call", Match: []LogMatch{{Field: "kind", Equals: "acme.tool"}}, Fields: map[string]string{
		"session_id": "ctx.sid", "user_id": "ctx.uid", "tool_call.tool_name": "payload.tool", "tool_call.parameters": "payload.args",
		"tool_call.result": "payload.out", "tool_call.duration_ms": "payload.ms",
	}},
	{Name: "acme", Event: "output", Match: []LogMatch{{Field: "acme.event", Equals: "answer"}, {Field: "ctx.sid", Equals: "S1"}}, Fields: map[string]string{
		"session_id": "ctx.sid", "output.content": "payload.text", "output.model": "payload.llm", "tokens.total": "payload.usage.all",
	}},
}

func TestUserDefinedLogMapping(t *testing.T) {
	ld := buildLogs(t, nil, "acme",
		logSpec{at: 10, body: `{"kind":"acme.tool","ctx":{"sid":"S1","uid":"U1"},"payload":{"tool":"crm_lookup","args":{"id":7},"out":{"name":"Ada"},"ms":12}}`},
		logSpec{at: 20, attrs: map[string]any{"acme.event": "answer"}, body: map[string]any{"ctx": map[string]any{"sid": "S1"}, "payload": map[string]any{"text": "Ada is a customer.", "llm": "gpt-4o", "usage": map[string]any{"all": int64(42)}}}},
		// Another session's answer does not meet the second condition; a kind the mapping does not
		// name is left to the built-in conventions (here: none).
		logSpec{at: 30, attrs: map[string]any{"acme.event": "answer"}, body: map[string]any{"ctx": map[string]any{"sid": "S2"}}},
		logSpec{at: 40, body: `{"kind":"acme.heartbeat","ctx":{"sid":"S1"}}`},
	)
	recs, stats := mapLogs(t, New(Options{LogMappings: acmeMappings}), ld)
	assertCounts(t, recs, map[auditrecord.Type]int{auditrecord.TypeToolCall: 1, auditrecord.TypeOutput: 1})
	if stats.Unmatched != 2 {
		t.Errorf("unmatched %d", stats.Unmatched)
	}
	for _, r := range recs {
		if r.SessionID != "S1" || r.UserID != "U1" || r.Source.Convention != "acme" {
			t.Errorf("%s: %s", r.Type, mustJSON(t, r))
		}
	}
	tool := ofType(recs, auditrecord.TypeToolCall)[0].ToolCall
	if tool.ToolName != "crm_lookup" || mustJSON(t, tool.Parameters) != `{"id":7}` || mustJSON(t, tool.Result) != `{"name":"Ada"}` || *tool.DurationMS != 12 {
		t.Errorf("tool %s", mustJSON(t, tool))
	}
	out := ofType(recs, auditrecord.TypeOutput)[0].Output
	if out.Content != "Ada is a customer." || out.Model != "gpt-4o" || *out.Tokens.Total != 42 {
		t.Errorf("output %s", mustJSON(t, out))
	}
	assertGolden(t, "user_log_mapping", recs)
	// Without the mapping, the same logs are no agent's events.
	if recs, _ := New(Options{}).MapLogs(ld, observed); len(recs) != 0 {
		t.Errorf("built-in conventions mapped the in-house shape: %s", mustJSON(t, recs))
	}
}

func TestLogMappingValidateNamesTheField(t *testing.T) {
	bad := LogMapping{Name: "Bad Name", Event: "answer", Match: []LogMatch{{Field: " ", Equals: "x"}}, Fields: map[string]string{"tool": "x", "output.content": ""}}
	err := errors.Join(bad.Problems()...)
	if err == nil {
		t.Fatal("invalid mapping accepted")
	}
	for _, want := range []string{"name: ", "event: \"answer\"", "match[0].field: must be set", "fields.tool: not a record field", "fields.output.content: the member path must be set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if err := errors.Join(LogMapping{Name: "x", Event: "input", Fields: map[string]string{"input.content": "m"}}.Problems()...); err == nil || !strings.Contains(err.Error(), "match: needs at least one") {
		t.Errorf("mapping without conditions: %v", err)
	}
	for _, lm := range acmeMappings {
		if err := errors.Join(lm.Problems()...); err != nil {
			t.Errorf("valid mapping refused: %v", err)
		}
	}
}
