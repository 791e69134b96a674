// Package sessionfixture builds a small, fully known audit trail — three agent sessions of two users
// on three days, with tool calls, a failed tool, errors, reasoning, model outputs with tokens and cost
// and a redaction marker — and writes it to an object store, so auditctl's queries, reports, erasure
// and retention can be tested against exact expected rows.
package sessionfixture

import (
	"context"
	"strconv"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Session ids, users and days of the fixture.
const (
	Alpha = "s-alpha" // u-alice, 2026-11-20 09:00, 10 records, one failed tool
	Beta  = "s-beta"  // u-bob,   2026-11-21 14:30, 5 records
	Gamma = "s-gamma" // u-alice, 2026-11-22 10:00, 4 records, one failed tool

	Alice = "u-alice"
	Bob   = "u-bob"

	// Instance is the collector instance id the fixture is written as; its stream is Instance+"-traces".
	Instance = "gw-1"
)

// Starts are the session start times, which are also the write times of their objects.
var Starts = map[string]time.Time{
	Alpha: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
	Beta:  time.Date(2026, 11, 21, 14, 30, 0, 0, time.UTC),
	Gamma: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
}

// Order is the order sessions are written in.
var Order = []string{Alpha, Beta, Gamma}

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

type builder struct {
	session, user, trace string
	start                time.Time
	n                    int
	recs                 []*auditrecord.Record
}

func (b *builder) add(typ auditrecord.Type, offset time.Duration, span string, fill func(*auditrecord.Record)) *auditrecord.Record {
	ts := b.start.Add(offset)
	r := &auditrecord.Record{
		SchemaVersion:     auditrecord.SchemaVersion,
		RecordID:          auditrecord.NewRecordID(b.session, strconv.Itoa(b.n)),
		Type:              typ,
		Timestamp:         ts,
		ObservedTimestamp: ts.Add(50 * time.Millisecond),
		SessionID:         b.session,
		UserID:            b.user,
		Agent:             &auditrecord.Agent{Name: "support-bot", Version: "1.4.0"},
		TraceID:           b.trace,
		SpanID:            span,
		Source:            &auditrecord.Source{Signal: "traces", Convention: "gen_ai"},
	}
	b.n++
	fill(r)
	b.recs = append(b.recs, r)
	return r
}

func (b *builder) input(at time.Duration, span, role, content string) {
	b.add(auditrecord.TypeInput, at, span, func(r *auditrecord.Record) {
		r.Input = &auditrecord.Input{Content: content, Role: role, Source: "user_message"}
	})
}

func (b *builder) llm(at time.Duration, span string, durMS float64, in, out int64, cost float64, text string) {
	tokens := func() *auditrecord.Tokens {
		return &auditrecord.Tokens{Input: i64(in), Output: i64(out), Total: i64(in + out)}
	}
	b.add(auditrecord.TypeLLMCall, at, span, func(r *auditrecord.Record) {
		r.LLMCall = &auditrecord.LLMCall{
			Operation: "chat", Model: "gpt-4o", Provider: "openai", Status: "ok",
			DurationMS: f64(durMS), Tokens: tokens(), Cost: f64(cost), CostSource: "price_table",
		}
	})
	b.add(auditrecord.TypeOutput, at+time.Duration(durMS)*time.Millisecond, span, func(r *auditrecord.Record) {
		r.Output = &auditrecord.Output{
			Content: text, Model: "gpt-4o", Provider: "openai", Tokens: tokens(),
			Cost: f64(cost), CostSource: "price_table", FinishReason: "stop",
		}
	})
}

// tool adds a tool call that ended at `end` after durMS; a failed one is followed by its error record.
func (b *builder) tool(end time.Duration, span, name string, durMS float64, params, result any, failure string) {
	status := auditrecord.ToolStatusSuccess
	if failure != "" {
		status = auditrecord.ToolStatusError
	}
	tc := b.add(auditrecord.TypeToolCall, end, span, func(r *auditrecord.Record) {
		r.ToolCall = &auditrecord.ToolCall{
			ToolName: name, CallID: "call-" + span, Parameters: params, Result: result,
			Status: status, DurationMS: f64(durMS),
		}
	})
	if failure != "" {
		b.add(auditrecord.TypeError, end, span, func(r *auditrecord.Record) {
			r.Error = &auditrecord.Error{Type: "ToolError", Message: failure, ToolName: name, RelatedRecordID: tc.RecordID}
		})
	}
}

// Sessions returns each session's records in the order they are written.
func Sessions() map[string][]*auditrecord.Record {
	s := time.Second
	ms := time.Millisecond

	a := &builder{session: Alpha, user: Alice, trace: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", start: Starts[Alpha]}
	a.add(auditrecord.TypeAgentRun, 0, "a000000000000000", func(r *auditrecord.Record) {
		r.AgentRun = &auditrecord.AgentRun{Operation: "invoke_agent", Status: "error", DurationMS: f64(12000)}
	})
	a.input(100*ms, "a000000000000001", "user", "Where is order 1234? Mail me at [REDACTED:EMAIL]")
	a.llm(1*s, "a000000000000001", 2000, 120, 30, 0.0012, "Let me look up order 1234.")
	a.tool(5*s, "a000000000000002", "lookup_order", 1500, map[string]any{"order_id": "1234"}, map[string]any{"status": "shipped"}, "")
	a.add(auditrecord.TypeReasoning, 5500*ms, "a000000000000001", func(r *auditrecord.Record) {
		r.Reasoning = &auditrecord.Reasoning{Thought: "The order shipped; email the tracking number."}
	})
	a.tool(8*s, "a000000000000003", "send_email", 800, map[string]any{"to": "[REDACTED:EMAIL]"}, nil, "SMTP relay refused")
	a.llm(9*s, "a000000000000004", 2500, 200, 50, 0.0021, "Your order 1234 has shipped; I could not send the email.")

	b := &builder{session: Beta, user: Bob, trace: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", start: Starts[Beta]}
	b.input(0, "b000000000000001", "user", "Find two flights to Lisbon")
	b.llm(500*ms, "b000000000000001", 1000, 80, 20, 0.0008, "Searching flights.")
	b.tool(3*s, "b000000000000002", "lookup_order", 900, map[string]any{"order_id": "77"}, map[string]any{"status": "open"}, "")
	b.tool(6*s, "b000000000000003", "lookup_order", 2100, map[string]any{"order_id": "78"}, map[string]any{"status": "open"}, "")

	g := &builder{session: Gamma, user: Alice, trace: "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", start: Starts[Gamma]}
	g.input(0, "c000000000000001", "user", "What is the weather in Oslo?")
	g.tool(4*s, "c000000000000002", "web_search", 3000, map[string]any{"q": "Oslo weather"}, nil, "HTTP 503 from search backend")
	g.add(auditrecord.TypeOutput, 5*s, "c000000000000003", func(r *auditrecord.Record) {
		r.Output = &auditrecord.Output{Content: "Sorry, search is unavailable.", Model: "gpt-4o-mini"}
	})

	return map[string][]*auditrecord.Record{Alpha: a.recs, Beta: b.recs, Gamma: g.recs}
}

// Write stores every session as one batch (one object) in its own hour partition, written at the
// session's start, on a store over backend with the given signer (nil: unsigned).
func Write(ctx context.Context, backend objectstore.Backend, signer *objectstore.Signer) error {
	sessions := Sessions()
	for _, id := range Order {
		at := Starts[id]
		s := objectstore.New(backend, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return at }},
			store.Settings{InstanceID: Instance})
		if err := s.Start(ctx); err != nil {
			return err
		}
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: sessions[id]}); err != nil {
			return err
		}
	}
	return nil
}

// WriteSessions writes every session, in Order, as one batch each, on a started store of any kind.
func WriteSessions(ctx context.Context, s store.Store) error {
	sessions := Sessions()
	for _, id := range Order {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: sessions[id]}); err != nil {
			return err
		}
	}
	return nil
}
