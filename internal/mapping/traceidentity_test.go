package mapping

import (
	"testing"
)

// Stats.Traces tells the exporter, per batch, which traces revealed their session and user and
// which had their root span there, including spans that make no record (an application's request
// span): the exporter's identity hold depends on it.
func TestStatsListTraceIdentitiesAndRoots(t *testing.T) {
	td := buildTraces(t, resourceSpec{scope: "app", spans: []spanSpec{
		// trace 1: the application's request span carries the ids and makes no record
		{name: "POST /chat", trace: 1, id: 1, start: 0, end: 100, attrs: map[string]any{"session.id": "s-1", "user.id": "u-1"}},
		// trace 2: a child span only, no ids: nothing to say yet
		{name: "execute_tool lookup", trace: 2, id: 3, parent: 2, start: 0, end: 10, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup",
		}},
		// trace 3: a root without ids: complete, no identity will come
		{name: "chat gpt-4o", trace: 3, id: 4, start: 0, end: 10, attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}},
	}})
	recs, stats := New(Options{}).MapTraces(td, baseTime)
	if len(recs) == 0 {
		t.Fatal("no records")
	}
	if len(stats.Traces) != 2 {
		t.Fatalf("traces = %+v, want traces 1 and 3", stats.Traces)
	}
	first, third := stats.Traces[0], stats.Traces[1]
	if first.SessionID != "s-1" || first.UserID != "u-1" || !first.Root {
		t.Errorf("trace 1: %+v", first)
	}
	if third.SessionID != "" || third.UserID != "" || !third.Root {
		t.Errorf("trace 3: %+v", third)
	}
	for _, r := range recs {
		if r.TraceID == first.TraceID {
			t.Errorf("the request span made a %s record", r.Type)
		}
	}
}
