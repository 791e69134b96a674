package objectstore

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/agentsimtraces"
)

// BenchmarkEncodeChainedAgentsim encodes the records the bench-pipeline traffic maps to as the
// store writes them (Store.Write's appendChained: encoder, link hash, Merkle leaf, JSONL, gzip),
// without the backend, one object per agentsim request. One op is one span, so ns/op and
// allocs/op read per span; stored-B/span is what the store writes.
func BenchmarkEncodeChainedAgentsim(b *testing.B) {
	records, spans := agentsimRecords(b)
	benchEncodeChained(b, records, spans)
}

// BenchmarkEncodeChainedAgentsimBatch is BenchmarkEncodeChainedAgentsim with the objects
// bench-pipeline's exporter writes: its batches hold 1,024 to 8,192 spans (config/local.yaml),
// here the traffic repeated into objects of batchSpans spans, so the per-object costs (gzip
// header and final block, buffer growth) weigh as they do in the pipeline.
func BenchmarkEncodeChainedAgentsimBatch(b *testing.B) {
	batch, spans := agentsimBatch(b, 4096)
	benchEncodeChained(b, [][]*auditrecord.Record{batch}, spans)
}

// agentsimRecords maps a captured agentsim run: its records by request, and its span count.
func agentsimRecords(b *testing.B) ([][]*auditrecord.Record, int) {
	batches := agentsimtraces.Capture(b, 40)
	m := mapping.New(mapping.Options{})
	observed := time.Date(2026, 1, 15, 10, 5, 0, 0, time.UTC)
	var records [][]*auditrecord.Record
	for _, td := range batches {
		recs, _ := m.MapTraces(td, observed)
		records = append(records, recs)
	}
	return records, agentsimtraces.SpanCount(batches)
}

// agentsimBatch is the captured agentsim run's records repeated into one batch of at least
// batchSpans spans, as bench-pipeline's exporter writes them, and how many spans it holds.
func agentsimBatch(b *testing.B, batchSpans int) ([]*auditrecord.Record, int) {
	records, spans := agentsimRecords(b)
	var all []*auditrecord.Record
	for _, recs := range records {
		all = append(all, recs...)
	}
	var batch []*auditrecord.Record
	for n := 0; n < batchSpans; n += spans {
		batch = append(batch, all...)
	}
	return batch, spans * len(batch) / len(all)
}

// benchEncodeChained encodes each of objects as one object per pass; spans is how many spans
// they came from, one op each.
func benchEncodeChained(b *testing.B, objects [][]*auditrecord.Record, spans int) {
	prev := strings.Repeat("0", 64)
	var scratch, object []byte
	var tree evidence.Frontier // a stream's tree, as Store.Write extends it
	jsonl := encodedBytes(b, objects, false, prev)
	var stored, passes int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += spans {
		passes++
		for _, recs := range objects {
			enc := newObjectEncoder(true, scratch, object) // as Store.Write reuses them
			enc.tree = &tree
			var err error
			if _, prev, err = enc.appendChained(recs, "bench-traces", 0, prev); err != nil {
				b.Fatal(err)
			}
			scratch = enc.pending[:0]
			data, err := enc.finish()
			if err != nil {
				b.Fatal(err)
			}
			stored += len(data)
			object = data[:0]
		}
	}
	b.ReportMetric(float64(stored)/float64(passes*spans), "stored-B/span")
	b.ReportMetric(float64(jsonl)/float64(spans), "jsonl-B/span")
	n := 0
	for _, recs := range objects {
		n += len(recs)
	}
	b.ReportMetric(float64(n)/float64(spans), "records/span")
}

// encodedBytes is the size of the objects the batches encode to, chained after prev.
func encodedBytes(b *testing.B, batches [][]*auditrecord.Record, gz bool, prev string) int {
	n := 0
	for _, recs := range batches {
		enc := newObjectEncoder(gz, nil, nil)
		var err error
		if _, prev, err = enc.appendChained(recs, "bench-traces", 0, prev); err != nil {
			b.Fatal(err)
		}
		data, err := enc.finish()
		if err != nil {
			b.Fatal(err)
		}
		n += len(data)
	}
	return n
}

// BenchmarkLinkHash hashes a typical record's content (about 1 KiB in two pieces) after its
// predecessor's hash.
func BenchmarkLinkHash(b *testing.B) {
	prev := strings.Repeat("ab", 32)
	head, tail := []byte(strings.Repeat("x", 700)), []byte(strings.Repeat("y", 300))
	b.ReportAllocs()
	for b.Loop() {
		LinkHash(prev, head, tail)
	}
}

// BenchmarkWriteAgentsimBatch is Store.Write of bench-pipeline's 8,192-span batches to a backend
// that keeps nothing: one op is one batch (after a first, unmeasured one). first-batch-MB is what
// the first batch allocated (the object buffer's growth included) and kept-object-MB the object
// buffer the Store holds between batches, both part of the exporter's peak heap.
func BenchmarkWriteAgentsimBatch(b *testing.B) {
	batch, _ := agentsimBatch(b, 8192)
	s := New(discardBackend{}, Options{Gzip: true}, store.Settings{InstanceID: "bench"})
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: batch}); err != nil {
		b.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	b.ResetTimer()
	for range b.N {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: batch}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "first-batch-MB")
	b.ReportMetric(float64(cap(s.object))/(1<<20), "kept-object-MB")
}

// discardBackend is a Backend that stores nothing and has nothing.
type discardBackend struct{}

func (discardBackend) Put(context.Context, string, []byte) error      { return nil }
func (discardBackend) Get(context.Context, string) ([]byte, error)    { return nil, ErrNotExist }
func (discardBackend) List(context.Context, string) ([]string, error) { return nil, nil }
func (discardBackend) Delete(context.Context, string) error           { return nil }
func (discardBackend) String() string                                 { return "discard" }
