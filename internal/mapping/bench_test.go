package mapping

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/agentsimtraces"
)

// BenchmarkMapTraces maps a realistic three-span agent turn (invoke_agent → chat → execute_tool)
// with JSON message attributes.
func BenchmarkMapTraces(b *testing.B) {
	td := buildTraces(b, resourceSpec{attrs: travelResource, scope: "bench", spans: []spanSpec{
		{name: "invoke_agent TravelAgent", id: 1, start: 0, end: 5000, attrs: map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "TravelAgent", "session.id": "sess-1", "user.id": "user-42",
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Book me a flight to Paris next Tuesday, window seat, under 300 EUR"}]}]`,
		}},
		{name: "chat gpt-4o", id: 2, parent: 1, start: 100, end: 1100, attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
			"gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.usage.input_tokens": int64(812), "gen_ai.usage.output_tokens": int64(64),
			"gen_ai.response.id": "chatcmpl-1", "gen_ai.request.temperature": 0.2,
			"gen_ai.system_instructions": `[{"type":"text","content":"You are a travel agent. Use tools to search and book flights. Never book without confirmation."}]`,
			"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"Book me a flight to Paris next Tuesday, window seat, under 300 EUR"}]}]`,
			"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"reasoning","content":"Search first."},{"type":"tool_call","id":"call_1","name":"search_flights","arguments":{"destination":"CDG","date":"2026-01-20","max_price":300}}],"finish_reason":"tool_call"}]`,
		}},
		{name: "execute_tool search_flights", id: 3, parent: 1, start: 1200, end: 1450, attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search_flights", "gen_ai.tool.call.id": "call_1",
			"gen_ai.tool.call.arguments": `{"destination":"CDG","date":"2026-01-20","max_price":300}`,
			"gen_ai.tool.call.result":    `{"flights":[{"id":"AF123","price":249,"seat":"14A"},{"id":"LH904","price":281,"seat":"22F"}]}`,
		}},
	}})
	m := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		recs, _ := m.MapTraces(td, observed)
		if len(recs) != 6 { // agent_run, llm_call, 2 inputs, reasoning, tool_call (the chat only asks: no output)
			b.Fatalf("%d records", len(recs))
		}
	}
}

// BenchmarkMapAgentsim maps the traffic `make bench-pipeline` sends (internal/agentsim, fixed
// seed) batch by batch; one op is one span, so ns/op and allocs/op read per span.
func BenchmarkMapAgentsim(b *testing.B) {
	batches := agentsimtraces.Capture(b, 40)
	spans := agentsimtraces.SpanCount(batches)
	m := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += spans {
		for _, td := range batches {
			m.MapTraces(td, observed)
		}
	}
}
