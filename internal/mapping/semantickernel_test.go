package mapping

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// Semantic Kernel records a failing function's exception twice on its execute_tool span (where the
// function raised, and again as it leaves start_as_current_span): one failure, one error record.
// Two different exceptions on one span stay two.
func TestOneExceptionRecordedTwiceOnASpanIsOneError(t *testing.T) {
	twice := []eventSpec{
		{name: "exception", at: 118, attrs: map[string]any{"exception.type": "PermissionError", "exception.message": "permission denied: /tmp/report.txt", "exception.stacktrace": "in delete_file"}},
		{name: "exception", at: 119, attrs: map[string]any{"exception.type": "PermissionError", "exception.message": "permission denied: /tmp/report.txt", "exception.stacktrace": "in use_span"}},
	}
	other := []eventSpec{twice[0], {name: "exception", at: 119, attrs: map[string]any{"exception.type": "TimeoutError", "exception.message": "cleanup timed out"}}}
	tool := func(tr byte, events []eventSpec) spanSpec {
		return spanSpec{
			name: "execute_tool Tools-deleteFile", trace: tr, id: 1, start: 110, end: 120, status: ptrace.StatusCodeError, statusMsg: "PermissionError: permission denied: /tmp/report.txt",
			events: events, attrs: map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "Tools-deleteFile", "gen_ai.tool.call.id": "call_d", "session.id": "s-1", "user.id": "u-1"},
		}
	}
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "semantic_kernel.functions.kernel_function", spans: []spanSpec{tool(1, twice), tool(2, other)}}))
	byTrace := map[string][]*auditrecord.Record{}
	for _, r := range ofType(recs, auditrecord.TypeError) {
		byTrace[r.TraceID] = append(byTrace[r.TraceID], r)
	}
	if one := byTrace[hexTrace(1)]; len(one) != 1 || one[0].Error.StackTrace != "in delete_file" {
		t.Errorf("one exception reported twice: want one error with the first report's stack, got %s", describe(one))
	}
	if two := byTrace[hexTrace(2)]; len(two) != 2 {
		t.Errorf("two exceptions on one span: want two errors, got %s", describe(two))
	}
}

// Semantic Kernel's model spans carry tokens but no response (it writes the messages as log
// records); the agent span states the answer. The answer's one output record takes the model and
// tokens of the call that ended last, the one that made it, not of the tool-requesting call.
func TestStatedAnswerTakesTheModelAndTokensOfTheCallThatMadeIt(t *testing.T) {
	chat := func(id byte, start, end int, in, out int64) spanSpec {
		return spanSpec{name: "chat mock-gpt-4o", trace: 1, id: id, parent: 1, start: start, end: end, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": "mock-gpt-4o", "gen_ai.system": "openai",
			"gen_ai.usage.input_tokens": in, "gen_ai.usage.output_tokens": out,
		}}
	}
	spans := []spanSpec{
		{name: "invoke_agent weather-agent", trace: 1, id: 1, start: 0, end: 900, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "weather-agent", "session.id": "s-1", "user.id": "u-1",
			"gen_ai.output.messages": `[{"role": "assistant", "content": "It is sunny.", "name": "weather-agent"}]`,
		}},
		chat(2, 10, 100, 52, 24),
		chat(3, 200, 300, 96, 21),
	}
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "semantic_kernel", spans: spans}))
	outs := ofType(recs, auditrecord.TypeOutput)
	if len(outs) != 1 {
		t.Fatalf("want one output, got %s", describe(outs))
	}
	o := outs[0].Output
	if o.Content != "It is sunny." || o.Model != "mock-gpt-4o" || o.Tokens == nil || o.Tokens.Input == nil || *o.Tokens.Input != 96 || *o.Tokens.Output != 21 {
		t.Errorf("want the answer with the last call's model and tokens 96/21, got %s", describe(outs))
	}
}

// Semantic Kernel writes a tool's dict result with Python's str(): the record holds the dict.
// Text that only looks like one stays text.
func TestPythonLiteralToolResultIsItsValue(t *testing.T) {
	for in, want := range map[string]string{
		`{'city': 'Paris', 'forecast': 'sunny', 'temperatureC': 21, 'ok': True}`: `{"city":"Paris","forecast":"sunny","ok":true,"temperatureC":21}`,
		`['a', 'b']`:            `["a","b"]`,
		`{not python}`:          `"{not python}"`,
		`permission denied: /x`: `"permission denied: /x"`,
	} {
		got, _ := json.Marshal(pyLiteral(in))
		if string(got) != want {
			t.Errorf("pyLiteral(%q) = %s, want %s", in, got, want)
		}
	}
}
