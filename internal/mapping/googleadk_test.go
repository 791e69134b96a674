package mapping

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// Google ADK: a failed tool's status is only its error type ("TOOL_ERROR"), the failure's words are
// in the result the model got ({"error": …}); and its "execute_tool (merged)" span over the parallel
// calls of one model response is no tool call of its own.
func TestGoogleADKToolFailureAndMergedToolSpan(t *testing.T) {
	spans := []spanSpec{
		{name: "invoke_agent weather_agent", id: 1, start: 0, end: 900, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "weather_agent", "session.id": "s-1", "user.id": "u-1",
		}},
		{name: "execute_tool deleteFile", id: 2, parent: 1, start: 100, end: 110, status: ptrace.StatusCodeError, statusMsg: "TOOL_ERROR", attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "deleteFile", "gen_ai.tool.call.id": "call_d", "error.type": "TOOL_ERROR",
			"gen_ai.tool.call.arguments": `{"path": "/tmp/report.txt"}`, "gen_ai.tool.call.result": `{"error": "permission denied: /tmp/report.txt"}`,
		}},
		{name: "execute_tool (merged)", id: 3, parent: 1, start: 100, end: 120, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "(merged tools)", "gen_ai.tool.call.id": "evt-1",
		}},
	}
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "gcp.vertex.agent", spans: spans}))
	if calls := ofType(recs, auditrecord.TypeToolCall); len(calls) != 1 || calls[0].ToolCall.ToolName != "deleteFile" {
		t.Errorf("want one tool_call, deleteFile; got %s", describe(calls))
	}
	errs := ofType(recs, auditrecord.TypeError)
	if len(errs) != 1 || errs[0].Error.Message != "permission denied: /tmp/report.txt" || errs[0].Error.Type != "TOOL_ERROR" {
		t.Errorf("want one TOOL_ERROR error with the result's message, got %s", describe(errs))
	}
}
