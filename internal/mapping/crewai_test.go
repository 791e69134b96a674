package mapping

import (
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// CrewAI's agent span (OpenInference) has Task._execute_core's arguments as its input.value: the
// agent's configuration (its backstory is the system prompt), the context from earlier tasks and
// the tools' reprs. Only the context is what the agent was given; the model span records the prompts.
func TestCrewAITaskArgumentsAreNoInputButTheirContext(t *testing.T) {
	args := func(context string) string {
		return `{"agent": {"role": "weather-agent", "goal": "Answer.", "backstory": "You are a careful assistant."}, "context": "` + context +
			`", "tools": ["name='getWeather' description='Returns the weather in a city.'"]}`
	}
	agent := func(tr byte, context string) spanSpec {
		return spanSpec{name: "weather-agent._execute_core", trace: tr, id: 1, start: 0, end: 100, attrs: map[string]any{
			"openinference.span.kind": "AGENT", "input.value": args(context), "input.mime_type": "application/json",
			"session.id": "s-1", "user.id": "u-1",
		}}
	}
	recs, _ := mapTraces(t, New(Options{}), buildTraces(t, resourceSpec{scope: "openinference.instrumentation.crewai", spans: []spanSpec{agent(1, ""), agent(2, "Paris is sunny.")}}))
	var got []string
	for _, r := range ofType(recs, auditrecord.TypeInput) {
		if strings.Contains(r.Input.Content, "backstory") || strings.Contains(r.Input.Content, "getWeather") {
			t.Errorf("input %s holds CrewAI's plumbing: %q", r.RecordID, r.Input.Content)
		}
		got = append(got, r.Input.Content)
	}
	if len(got) != 1 || got[0] != "Paris is sunny." {
		t.Errorf("want one input, the second task's context, got %q", got)
	}
}
