package agentauditexporter

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/agentsimtraces"
)

// pipelineBatchSpans is the size of the batches bench-pipeline's exporter receives (its
// sending_queue batches 1,024 to 8,192 spans, config/local.yaml; under load they are full).
const pipelineBatchSpans = 8192

// BenchmarkPipelinePeakHeap writes pipeline-sized agentsim batches through the exporter as
// bench-pipeline runs it (mapping, dedup window, file store, two batches exported at once) and
// reports the peak live heap above what the fixture holds (so what the exporter keeps across
// batches, its join cache, dedup window and buffers, counts): under GOGC=100 the process's heap,
// and so its RSS, peaks near twice that. One op is one 8,192-span batch. The live heap is sampled at
// the end of every GC cycle (/gc/heap/live:bytes), with GOGC lowered to 10 while measuring so that
// cycles come often enough to catch the peak; cpu-ns/span is the process's CPU time (GC included,
// at that GOGC) and alloc-B/span what was allocated.
func BenchmarkPipelinePeakHeap(b *testing.B) {
	template := pipelineBatch(b)
	spans := template.SpanCount()
	runtime.GC()
	base := liveHeap()
	ctx := context.Background()
	te := startBenchExporter(b)
	// Shut down here, not in a cleanup: those run after the benchmark's last run, and each earlier
	// run's exporter would count in the next one's base.
	defer func() {
		if err := te.Shutdown(ctx); err != nil {
			b.Error(err)
		}
	}()
	// A first batch, unmeasured, as a running collector has written many: buffers kept for the
	// next batch count in the peak, their first growth does not.
	if err := te.ConsumeTraces(ctx, renumbered(template, 0)); err != nil {
		b.Fatal(err)
	}
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	stop, peak := samplePeakLiveHeap()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := processCPU()
	b.ResetTimer()

	var wg sync.WaitGroup
	ops := make(chan int)
	for range 2 { // num_consumers: 2
		wg.Go(func() {
			for op := range ops {
				if err := te.ConsumeTraces(ctx, renumbered(template, uint32(op))); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for op := range b.N {
		ops <- op + 1
	}
	close(ops)
	wg.Wait()

	b.StopTimer()
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&after)
	stop()
	total := float64(b.N * spans)
	b.ReportMetric(float64(*peak-base)/(1<<20), "peak-live-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "alloc-B/span")
	b.ReportMetric(float64(cpu.Nanoseconds())/total, "cpu-ns/span")
}

// startBenchExporter starts a traces exporter with the file store in a temporary directory, as
// newTestExporter does, leaving its shutdown to the caller.
func startBenchExporter(b *testing.B) exporter.Traces {
	b.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.File.Directory = b.TempDir()
	cfg.InstanceID = "bench"
	cfg.QueueConfig = configoptional.None[exporterHelperQueueConfig]()
	te, err := NewFactory().CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := te.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	return te
}

// pipelineBatch joins captured agentsim requests into one batch of about pipelineBatchSpans spans.
func pipelineBatch(b *testing.B) ptrace.Traces {
	b.Helper()
	captured := agentsimtraces.Capture(b, 40)
	batch := ptrace.NewTraces()
	for pass := byte(0); batch.SpanCount() < pipelineBatchSpans; pass++ {
		for _, td := range captured {
			copied := ptrace.NewTraces()
			td.CopyTo(copied)
			stampTraceIDs(copied, 4, pass) // each pass over the traffic is other traces
			copied.ResourceSpans().MoveAndAppendTo(batch.ResourceSpans())
			if batch.SpanCount() >= pipelineBatchSpans {
				break
			}
		}
	}
	return batch
}

// renumbered is a copy of td whose trace ids carry op in their first bytes, so that each batch's
// records are new to the dedup window.
func renumbered(td ptrace.Traces, op uint32) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	for i := range 4 {
		stampTraceIDs(out, i, byte(op>>(24-8*i)))
	}
	return out
}

// stampTraceIDs sets byte at of every trace id in td to v.
func stampTraceIDs(td ptrace.Traces, at int, v byte) {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			ss := sss.At(j).Spans()
			for k := range ss.Len() {
				s := ss.At(k)
				id := s.TraceID()
				id[at] = v
				s.SetTraceID(id)
			}
		}
	}
}

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

func liveHeap() uint64 {
	metrics.Read(liveSample)
	return liveSample[0].Value.Uint64()
}

// samplePeakLiveHeap polls the live heap until stop is called and keeps its maximum in *peak.
func samplePeakLiveHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }, peak
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
