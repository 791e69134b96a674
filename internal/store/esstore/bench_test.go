package esstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
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

// BenchmarkBulkIndexCheckpointed is BenchmarkBulkIndex with each stream's tree kept and a signed
// checkpoint every 10,000 records (the exporter's default), Elasticsearch only.
func BenchmarkBulkIndexCheckpointed(b *testing.B) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkBulkIndexWith(b, searchengine.Elasticsearch, objectstore.NewSigner(priv), &objectstore.CheckpointOptions{EveryRecords: 10_000})
}

func benchmarkBulkIndex(b *testing.B, kind searchengine.Kind) {
	benchmarkBulkIndexWith(b, kind, nil, nil)
}

func benchmarkBulkIndexWith(b *testing.B, kind searchengine.Kind, signer *objectstore.Signer, o *objectstore.CheckpointOptions) {
	url := searchengine.SharedKind(b, kind)
	for _, batchSize := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("batch=%d", batchSize), func(b *testing.B) {
			cfg := testConfig(b, url, kind.StoreFlavor())
			s, err := New(cfg, store.Settings{InstanceID: "test"})
			if err != nil {
				b.Fatal(err)
			}
			s.SetCheckpoints(signer, o)
			if err := s.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Shutdown(context.Background()) })
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

// BenchmarkChainCost is the CPU the chain and the tree add per record on the write path, without the
// engine: the document as written before the store chained records (encodeDocument), the chained
// document (encodeAt: canonical encoding with integrity and the link hash), and that plus the
// record's leaf in the stream's tree (what a commit adds). ns/op is per record.
func BenchmarkChainCost(b *testing.B) {
	recs := recordfixture.Records("chain-cost", 1000)
	s := &Store{cfg: NewDefaultConfig()}
	b.Run("unchained", func(b *testing.B) {
		for i := range b.N {
			if _, err := encodeDocument(recs[i%len(recs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, tree := range []bool{false, true} {
		b.Run(map[bool]string{false: "chained", true: "chained+tree"}[tree], func(b *testing.B) {
			var f evidence.Frontier
			prev := ""
			for i := range b.N {
				d := &pendingDoc{rec: recs[i%len(recs)]}
				if err := s.encodeAt(d, "bench-traces", uint64(i+1), prev); err != nil {
					b.Fatal(err)
				}
				prev = d.hash
				if tree {
					leaf, err := evidence.LeafHash(d.hash)
					if err != nil {
						b.Fatal(err)
					}
					f.Append(leaf)
				}
			}
		})
	}
}
