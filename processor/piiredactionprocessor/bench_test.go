package piiredactionprocessor

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/agentsimtraces"
)

// contribPatterns is the contrib redactionprocessor's equivalent of our built-in detectors: the
// 12 RE2 patterns it runs one after another over every string attribute.
var contribPatterns = []string{
	`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,                                      // email
	`\b(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|3[47]\d{2}|6011)(?:[ -]?\d{4}){2}[ -]?\d{1,4}\b`, // card
	`(?:\+\d{1,3}[ .-]?)?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}\b`,                       // phone
	`\b\d{3}-\d{2}-\d{4}\b`,                                       // US SSN
	`\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b`,                            // IBAN
	`\b(?:\d{1,3}\.){3}\d{1,3}\b`,                                 // IPv4
	`\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b`,                // IPv6
	`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,                               // AWS access key
	`\bgh[pousr]_[A-Za-z0-9]{36,}\b|github_pat_[A-Za-z0-9_]{22,}`, // GitHub
	`xox[baprs]-[A-Za-z0-9-]{10,}`,                                // Slack
	`\b(?:sk|rk)[-_][A-Za-z0-9_-]{20,}`,                           // OpenAI, Anthropic, Stripe
	`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,        // JWT
}

const benchSpans = 100

// benchSeed draws each benchmark iteration's corpus, shared by every run so that no two
// iterations of any run redact the same batch.
var benchSeed atomic.Uint64

// benchCorpusFunc draws one batch of a benchmark corpus from a seed, with the text bytes it holds.
type benchCorpusFunc func(seed uint64) (ptrace.Traces, int64)

type benchResult struct {
	nsPerSpan, cpuNsPerSpan float64
}

func benchTraces(b *testing.B, factory processor.Factory, cfg any, corpus benchCorpusFunc) benchResult {
	ctx := context.Background()
	set := processortest.NewNopSettings(factory.Type())
	proc, err := factory.CreateTraces(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	var next consumer.Traces = proc
	_, bytes := corpus(benchSeed.Load())
	var cpu time.Duration
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		// Each iteration redacts a batch no run has seen: the engine's scan memo answers texts it
		// scanned a moment ago, and a repeated batch would measure the memo, not the detectors.
		// Repeats within a batch (a tool result carried twice) stay, as agents send them.
		work, _ := corpus(benchSeed.Add(1))
		b.StartTimer()
		start := processCPUTime()
		if err := next.ConsumeTraces(ctx, work); err != nil {
			b.Fatal(err)
		}
		cpu += processCPUTime() - start
	}
	b.StopTimer()
	spans := float64(b.N * benchSpans)
	res := benchResult{nsPerSpan: float64(b.Elapsed().Nanoseconds()) / spans}
	b.ReportMetric(1e9/res.nsPerSpan, "spans/s")
	if cpu > 0 {
		res.cpuNsPerSpan = float64(cpu.Nanoseconds()) / spans
		b.ReportMetric(float64(bytes)*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
		b.ReportMetric(1e9/res.cpuNsPerSpan, "cpu-spans/s")
	}
	return res
}

// BenchmarkPIIRedaction runs this processor and the contrib redactionprocessor (v0.161.0, 12
// equivalent patterns) on the same corpora of agent spans in one invocation: "plain", ~9 KB spans
// whose prose is lower-case English words; "capitalised", where about every fourth word is a city,
// weekday, month, date, company, product, model, tool or quantity (the words a name and address
// detector must leave alone, and pay for); and "conversation", sessions of ten LLM calls whose
// input messages carry the conversation so far (seededConversationCorpus). Besides the
// wall-clock MB/s it reports throughput per CPU second (cpu-MB/s), which stays meaningful on a
// VM shared with other work.
func BenchmarkPIIRedaction(b *testing.B) {
	for _, corpus := range []struct {
		name string
		draw benchCorpusFunc
	}{
		{"plain", func(seed uint64) (ptrace.Traces, int64) { return seededBenchCorpus(benchSpans, false, seed) }},
		{"capitalised", func(seed uint64) (ptrace.Traces, int64) { return seededBenchCorpus(benchSpans, true, seed) }},
		{"conversation", func(seed uint64) (ptrace.Traces, int64) { return seededConversationCorpus(benchSpans, seed) }},
	} {
		var ours, contrib benchResult
		b.Run(corpus.name+"/piiredaction", func(b *testing.B) {
			ours = benchTraces(b, NewFactory(), createDefaultConfig(), corpus.draw)
		})
		b.Run(corpus.name+"/contrib_redaction", func(b *testing.B) {
			f := redactionprocessor.NewFactory()
			cfg := f.CreateDefaultConfig().(*redactionprocessor.Config)
			cfg.AllowAllKeys = true
			cfg.BlockedValues = contribPatterns
			cfg.Summary = "silent"
			contrib = benchTraces(b, f, cfg, corpus.draw)
		})
		if ours.nsPerSpan > 0 && contrib.nsPerSpan > 0 {
			b.Logf("%s: piiredaction vs contrib redactionprocessor: %.1fx faster per span (wall clock)", corpus.name, contrib.nsPerSpan/ours.nsPerSpan)
		}
		if ours.cpuNsPerSpan > 0 && contrib.cpuNsPerSpan > 0 {
			b.Logf("%s: piiredaction vs contrib redactionprocessor: %.1fx faster per span (CPU time)", corpus.name, contrib.cpuNsPerSpan/ours.cpuNsPerSpan)
		}
	}
}

// BenchmarkPIIRedactionAgentsim redacts the traffic `make bench-pipeline` sends (internal/agentsim)
// with the default config; one op is one span, so ns/op and allocs/op read per span. The traffic
// is captured before the timer starts, from a new seed per 40 sessions (other users, IDs and PII),
// as the pipeline bench's load never repeats a session: redacting the same batches again would
// measure the engine's scan memo. Past agentsimPools captures (about 10k spans) the captures are
// redacted again, and the memo answers what it still holds of them.
func BenchmarkPIIRedactionAgentsim(b *testing.B) {
	ctx := context.Background()
	factory := NewFactory()
	proc, err := factory.CreateTraces(ctx, processortest.NewNopSettings(factory.Type()), createDefaultConfig(), consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	var pools [][]ptrace.Traces
	for spans := 0; spans < b.N && len(pools) < agentsimPools; {
		p := agentsimtraces.CaptureSeed(b, 40, int64(benchSeed.Add(1)))
		spans += agentsimtraces.SpanCount(p)
		pools = append(pools, p)
	}
	time.Sleep(100 * time.Millisecond) // the capture's goroutines (SDK, HTTP server) wind down first
	b.ReportAllocs()
	b.ResetTimer()
	for i, k := 0, 0; i < b.N; k++ {
		b.StopTimer()
		work := make([]ptrace.Traces, len(pools[k%len(pools)]))
		for j, td := range pools[k%len(pools)] {
			work[j] = ptrace.NewTraces()
			td.CopyTo(work[j])
		}
		i += agentsimtraces.SpanCount(work)
		b.StartTimer()
		for _, td := range work {
			if err := proc.ConsumeTraces(ctx, td); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// agentsimPools bounds the captures BenchmarkPIIRedactionAgentsim holds in memory.
const agentsimPools = 16
