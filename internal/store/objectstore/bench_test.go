package objectstore

import (
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/agentsimtraces"
)

// BenchmarkEncodeChainedAgentsim encodes the records the bench-pipeline traffic maps to as the
// store writes them (Store.Write's appendChained: encoder, link hash, JSONL, gzip per batch),
// without the backend. One op is one span, so ns/op and allocs/op read per span.
func BenchmarkEncodeChainedAgentsim(b *testing.B) {
	batches := agentsimtraces.Capture(b, 40)
	spans := agentsimtraces.SpanCount(batches)
	m := mapping.New(mapping.Options{})
	observed := time.Date(2026, 1, 15, 10, 5, 0, 0, time.UTC)
	var records [][]*auditrecord.Record
	for _, td := range batches {
		recs, _ := m.MapTraces(td, observed)
		records = append(records, recs)
	}
	prev := strings.Repeat("0", 64)
	var scratch, object []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += spans {
		for _, recs := range records {
			enc := newObjectEncoder(true, scratch, object) // as Store.Write reuses them
			var err error
			if _, prev, err = enc.appendChained(recs, "bench-traces", 0, prev); err != nil {
				b.Fatal(err)
			}
			scratch = enc.pending[:0]
			data, err := enc.finish()
			if err != nil {
				b.Fatal(err)
			}
			object = data[:0]
		}
	}
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
