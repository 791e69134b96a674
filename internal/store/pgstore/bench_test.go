package pgstore_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// BenchmarkWrite measures rows/s into a real PostgreSQL 15 (same machine, loopback, fsync on) at
// the batch sizes the exporter's sending_queue produces: one transaction per batch, existing-id
// check, chain hashing, ids into record_ids, COPY of the rows, the batches row. Run with -cpu 1 to
// hold the collector side to one core (the server runs beside it).
//
// Besides wall-clock rows/s it reports the CPU both sides spent per row (this process, and the
// cluster's processes from /proc) and rows per CPU second, the single-core throughput: on a machine
// other work shares, wall time measures the neighbours as much as the store.
func BenchmarkWrite(b *testing.B) {
	srv := postgres.Start(b)
	run := 0 // b.Run calls the function again for each b.N it tries: ids must stay new
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		size        int
		checkpoints bool
	}{{100, false}, {1000, false}, {1000, true}, {5000, false}} {
		size, name := c.size, fmt.Sprintf("batch=%d", c.size)
		var s *pgstore.Store
		if c.checkpoints {
			// The Merkle tree kept per stream and a signed checkpoint every 10,000 rows (the default).
			name += "/checkpoints"
			s = openStoreWith(b, srv.CreateDatabase(b, fmt.Sprintf("bench_%d_ckpt", size)), objectstore.NewSigner(priv), &objectstore.CheckpointOptions{EveryRecords: 10_000})
		} else {
			s = openStore(b, srv.CreateDatabase(b, fmt.Sprintf("bench_%d", size)))
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			run++
			batches := make([]store.Batch, b.N)
			for i := range batches {
				batches[i] = store.Batch{Signal: "traces", Records: recordfixture.Records(fmt.Sprintf("bench-%d-%d-%d", size, run, i), size)}
			}
			runtime.GC() // the fixtures' garbage is not the store's CPU
			b.ResetTimer()
			serverBefore, clientBefore := srv.CPUTime(b), processCPU()
			for i := range b.N {
				if err := s.Write(ctx, batches[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			rows := float64(size * b.N)
			server, client := srv.CPUTime(b)-serverBefore, processCPU()-clientBefore
			b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(server.Microseconds())/rows, "server-cpu-µs/row")
			b.ReportMetric(float64(client.Microseconds())/rows, "client-cpu-µs/row")
			if cpu := (server + client).Seconds(); cpu > 0 {
				b.ReportMetric(rows/cpu, "rows/cpu-s")
			}
		})
	}
}

// processCPU is the user + system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
