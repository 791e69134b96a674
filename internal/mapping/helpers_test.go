package mapping

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current mapping")

var (
	baseTime = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	observed = time.Date(2026, 1, 15, 10, 5, 0, 0, time.UTC)
)

func at(ms int) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(baseTime.Add(time.Duration(ms) * time.Millisecond))
}

func traceID(b byte) pcommon.TraceID {
	var id pcommon.TraceID
	for i := range id {
		id[i] = b
	}
	return id
}

func spanID(b byte) pcommon.SpanID {
	if b == 0 {
		return pcommon.SpanID{}
	}
	return pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, b}
}

type eventSpec struct {
	name  string
	at    int
	attrs map[string]any
}

type spanSpec struct {
	name       string
	trace      byte // default 1
	id, parent byte
	start, end int // milliseconds after baseTime
	attrs      map[string]any
	status     ptrace.StatusCode
	statusMsg  string
	events     []eventSpec
	links      []linkSpec
}

// linkSpec is a span link to span id of trace.
type linkSpec struct {
	trace, span byte
	attrs       map[string]any
}

type resourceSpec struct {
	attrs map[string]any
	scope string
	spans []spanSpec
}

func buildTraces(t testing.TB, resources ...resourceSpec) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, r := range resources {
		rs := td.ResourceSpans().AppendEmpty()
		if err := rs.Resource().Attributes().FromRaw(r.attrs); err != nil {
			t.Fatal(err)
		}
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(r.scope)
		for _, s := range r.spans {
			span := ss.Spans().AppendEmpty()
			span.SetName(s.name)
			tr := s.trace
			if tr == 0 {
				tr = 1
			}
			span.SetTraceID(traceID(tr))
			span.SetSpanID(spanID(s.id))
			span.SetParentSpanID(spanID(s.parent))
			span.SetStartTimestamp(at(s.start))
			span.SetEndTimestamp(at(s.end))
			if err := span.Attributes().FromRaw(s.attrs); err != nil {
				t.Fatal(err)
			}
			span.Status().SetCode(s.status)
			span.Status().SetMessage(s.statusMsg)
			for _, l := range s.links {
				link := span.Links().AppendEmpty()
				link.SetTraceID(traceID(l.trace))
				link.SetSpanID(spanID(l.span))
				if err := link.Attributes().FromRaw(l.attrs); err != nil {
					t.Fatal(err)
				}
			}
			for _, e := range s.events {
				ev := span.Events().AppendEmpty()
				ev.SetName(e.name)
				ev.SetTimestamp(at(e.at))
				if err := ev.Attributes().FromRaw(e.attrs); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return td
}

type logSpec struct {
	eventName string
	trace     byte
	span      byte
	at        int
	body      any
	attrs     map[string]any
	severity  plog.SeverityNumber
	sevText   string
	noTime    bool // the record carries no timestamp (its document may)
}

func buildLogs(t testing.TB, resAttrs map[string]any, scope string, logs ...logSpec) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	if err := rl.Resource().Attributes().FromRaw(resAttrs); err != nil {
		t.Fatal(err)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scope)
	for _, l := range logs {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetEventName(l.eventName)
		if l.trace != 0 {
			lr.SetTraceID(traceID(l.trace))
			lr.SetSpanID(spanID(l.span))
		}
		if !l.noTime {
			lr.SetTimestamp(at(l.at))
		}
		lr.SetSeverityNumber(l.severity)
		lr.SetSeverityText(l.sevText)
		if l.body != nil {
			if err := lr.Body().FromRaw(l.body); err != nil {
				t.Fatal(err)
			}
		}
		if err := lr.Attributes().FromRaw(l.attrs); err != nil {
			t.Fatal(err)
		}
	}
	return ld
}

// checkRecords asserts what must hold for every mapping result: each record validates against the
// schema, record ids are unique, and mapping the same batch again yields identical records.
func checkRecords(t testing.TB, recs []*auditrecord.Record, again []*auditrecord.Record) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range recs {
		if err := auditrecord.Validate(r); err != nil {
			b, _ := json.Marshal(r)
			t.Fatalf("record does not validate: %v\n%s", err, b)
		}
		if seen[r.RecordID] {
			t.Fatalf("duplicate record id %s", r.RecordID)
		}
		seen[r.RecordID] = true
	}
	if again != nil {
		a, _ := json.Marshal(recs)
		b, _ := json.Marshal(again)
		if !bytes.Equal(a, b) {
			t.Fatalf("mapping the same batch twice gave different records")
		}
	}
}

func mapTraces(t testing.TB, m *Mapper, td ptrace.Traces) ([]*auditrecord.Record, Stats) {
	t.Helper()
	recs, stats := m.MapTraces(td, observed)
	again, _ := m.MapTraces(td, observed)
	checkRecords(t, recs, again)
	return recs, stats
}

func mapLogs(t testing.TB, m *Mapper, ld plog.Logs) ([]*auditrecord.Record, Stats) {
	t.Helper()
	recs, stats := m.MapLogs(ld, observed)
	again, _ := m.MapLogs(ld, observed)
	checkRecords(t, recs, again)
	return recs, stats
}

// assertGolden compares the records, one canonical JSON line each, with testdata/<name>.golden.jsonl.
func assertGolden(t *testing.T, name string, recs []*auditrecord.Record) {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range recs {
		line, err := auditrecord.MarshalRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	path := filepath.Join("testdata", name+".golden.jsonl")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("records differ from %s\n--- got ---\n%s--- want ---\n%s", path, buf.String(), want)
	}
}

func ofType(recs []*auditrecord.Record, typ auditrecord.Type) []*auditrecord.Record {
	var out []*auditrecord.Record
	for _, r := range recs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func countTypes(recs []*auditrecord.Record) map[auditrecord.Type]int {
	out := map[auditrecord.Type]int{}
	for _, r := range recs {
		out[r.Type]++
	}
	return out
}

func assertCounts(t *testing.T, recs []*auditrecord.Record, want map[auditrecord.Type]int) {
	t.Helper()
	got := countTypes(recs)
	for _, typ := range auditrecord.Types {
		if got[typ] != want[typ] {
			t.Errorf("%s records: got %d, want %d (all: %v)", typ, got[typ], want[typ], got)
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hexSpan(b byte) string  { return spanID(b).String() }
func hexTrace(b byte) string { return traceID(b).String() }
