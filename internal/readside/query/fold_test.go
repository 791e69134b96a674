package query_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// The read-side fold's rules (fold.go) on records written as two collectors would: what is one event
// reads once, whichever instance wrote which copy; distinct events that say the same stay apart.

const foldTrace = "dddd0000000000000000000000000001"

var foldBase = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func rec(id string, typ auditrecord.Type, signal, span string, atMS int) *auditrecord.Record {
	return &auditrecord.Record{
		SchemaVersion: auditrecord.SchemaVersion, RecordID: auditrecord.NewRecordID(id), Type: typ,
		Timestamp: foldBase.Add(time.Duration(atMS) * time.Millisecond), TraceID: foldTrace, SpanID: span,
		SessionID: "s1", Source: &auditrecord.Source{Signal: signal, Convention: "gen_ai"},
	}
}

func llmCall(id, span string, atMS int, durMS float64) *auditrecord.Record {
	r := rec(id, auditrecord.TypeLLMCall, "traces", span, atMS)
	r.LLMCall = &auditrecord.LLMCall{Status: "ok", DurationMS: &durMS}
	return r
}

func output(id, signal, span string, atMS int, text string) *auditrecord.Record {
	r := rec(id, auditrecord.TypeOutput, signal, span, atMS)
	r.Output = &auditrecord.Output{Content: text}
	return r
}

func toolErr(id, span string, atMS int) *auditrecord.Record {
	r := rec(id, auditrecord.TypeError, "traces", span, atMS)
	r.Error = &auditrecord.Error{Type: "Timeout", Message: "timed out", ToolName: "fetch"}
	return r
}

// writeSplit writes recs alternately as two instances, in the order given.
func writeSplit(t testing.TB, recs []*auditrecord.Record) *objectstore.Store {
	t.Helper()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"gw-a", "gw-b"} {
		var part []*auditrecord.Record
		for j, r := range recs {
			if j%2 == i {
				part = append(part, r)
			}
		}
		w := objectstore.New(b, objectstore.Options{}, store.Settings{InstanceID: name})
		if err := w.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(context.Background(), store.Batch{Signal: "traces", Records: part}); err != nil {
			t.Fatal(err)
		}
	}
	return objectstore.New(b, objectstore.Options{}, store.Settings{InstanceID: "reader"})
}

func TestFoldKeepsDistinctEventsApartAndChoosesByContent(t *testing.T) {
	tokens := int64(7)
	modelAnswer := output("o-model", "traces", "02", 1000, "Done.")
	modelAnswer.Output.Tokens = &auditrecord.Tokens{Total: &tokens}
	other := rec("th-other", auditrecord.TypeReasoning, "logs", "01", 1000)
	other.SessionID = "s2"
	other.Reasoning = &auditrecord.Reasoning{Thought: "check"}
	recs := []*auditrecord.Record{
		llmCall("m2", "02", 0, 1000), llmCall("m3", "03", 2000, 500),
		modelAnswer, output("o-agent", "traces", "01", 3000, "Done."), // stated by the agent span: one answer
		output("o-m3", "traces", "03", 2500, "Done."),        // a second model call saying the same: its own
		toolErr("e-1", "04", 100), toolErr("e-2", "05", 200), // two tool spans failing alike: two failures
		other, // another session's thought with the same text and time
	}
	thought := rec("th", auditrecord.TypeReasoning, "traces", "02", 1000)
	thought.Reasoning = &auditrecord.Reasoning{Thought: "check"}
	recs = append(recs, thought)
	var want []string
	for _, order := range [][]*auditrecord.Record{recs, reversed(recs)} {
		got, err := query.Records(context.Background(), writeSplit(t, order), store.Query{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range got {
			names = append(names, r.RecordID)
		}
		if want == nil {
			want = names
			if len(got) != len(recs)-1 {
				t.Errorf("%d records read, want %d (only the agent's statement of the answer folded)", len(got), len(recs)-1)
			}
			if slices.Contains(names, auditrecord.NewRecordID("o-agent")) || !slices.Contains(names, auditrecord.NewRecordID("o-model")) {
				t.Errorf("the answer kept is not the model call's (which has the tokens)")
			}
		} else if !slices.Equal(names, want) {
			t.Errorf("another scan order reads other records:\n%v\n%v", names, want)
		}
	}
	// The tool stats see the failures as two, the answer's fold does not touch tool calls.
	errs, err := query.Records(context.Background(), writeSplit(t, recs), store.Query{Types: []auditrecord.Type{auditrecord.TypeError}}, nil)
	if err != nil || len(errs) != 2 {
		t.Errorf("an error-only query reads %d records (%v), want both failures and no envelope", len(errs), err)
	}
}

func reversed(recs []*auditrecord.Record) []*auditrecord.Record {
	out := slices.Clone(recs)
	slices.Reverse(out)
	return out
}

// BenchmarkFoldedRead reads 10,000 tool-call records of 100 traces, each stored twice by two
// instances with other ids (a log's and a span's report): Scan (ids counted once, no fold) against
// ScanJoined (folded), the cost of the fold per read.
func BenchmarkFoldedRead(b *testing.B) {
	recs := recordfixture.Records("bench", 5000)
	for i, r := range recs {
		r.TraceID = fmt.Sprintf("eeee%028d", i%100)
		c := *r
		c.RecordID, c.Source = auditrecord.NewRecordID("copy", r.RecordID), &auditrecord.Source{Signal: "logs"}
		recs = append(recs, &c)
	}
	s := writeSplit(b, recs)
	for _, fold := range []bool{false, true} {
		b.Run(fmt.Sprintf("fold=%v", fold), func(b *testing.B) {
			for b.Loop() {
				n := 0
				count := func(*auditrecord.Record) error { n++; return nil }
				var err error
				if fold {
					err = query.ScanJoined(context.Background(), s, store.Query{}, nil, count)
				} else {
					err = query.Scan(context.Background(), s, store.Query{}, nil, count)
				}
				if err != nil || (fold && n != 5000) || (!fold && n != 10000) {
					b.Fatalf("%d records, %v", n, err)
				}
			}
		})
	}
}
