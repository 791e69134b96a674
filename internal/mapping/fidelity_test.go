package mapping

import (
	"slices"
	"testing"

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
		{name: "execute_tool deleteFile", trace: tr, id: 4, parent: 2, start: 110, end: 120, status: ptrace.StatusCodeError, statusMsg: "permission denied: /tmp/report.txt",
			events: []eventSpec{{name: "exception", at: 119, attrs: deletionDenied}},
			attrs: map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "deleteFile", "gen_ai.tool.call.id": "call_d"}},
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
	out := ""
	for _, r := range recs {
		line, _ := auditrecord.MarshalRecord(r)
		out += "\n  " + string(line)
	}
	return out
}
