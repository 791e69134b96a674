package esstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// BenchmarkBulkIndex measures indexing throughput against each test engine (one node, no replicas,
// default bulk settings: 2 workers, 5 MB flush, gzip on): each iteration writes one batch of fresh
// records and waits for every item's answer, as the exporter does. A warm-up batch first lets the
// JVM compile its hot paths, so the numbers are not a measure of the JIT.
func BenchmarkBulkIndex(b *testing.B) {
	for _, kind := range searchengine.Kinds() {
		b.Run(string(kind), func(b *testing.B) { benchmarkBulkIndex(b, kind) })
	}
}

func benchmarkBulkIndex(b *testing.B, kind searchengine.Kind) {
	url := searchengine.SharedKind(b, kind)
	for _, batchSize := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("batch=%d", batchSize), func(b *testing.B) {
			cfg := testConfig(b, url, kind.StoreFlavor())
			s := startStore(b, cfg)
			write(b, s, recordfixture.Records("warmup-"+cfg.Index.Prefix, 5000))
			batches := make([][]*auditrecord.Record, b.N)
			for i := range batches {
				batches[i] = recordfixture.Records(fmt.Sprintf("bench-%d-%d", batchSize, i), batchSize)
			}
			b.ResetTimer()
			for i := range b.N {
				if err := s.Write(context.Background(), store.Batch{Signal: "traces", Records: batches[i]}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "records/s")
			if got := s.Stats().Indexed.Load(); got != int64(5000+b.N*batchSize) {
				b.Fatalf("indexed %d, want %d", got, 5000+b.N*batchSize)
			}
		})
	}
}
