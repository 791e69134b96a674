// Command pipeline benchmarks the built collector end to end, on one machine in one run:
//
//	(a) otlp → piiredaction → agentaudit (file store), persistent queue on spool_storage: the durable
//	    default (config/local.yaml's rule: a client is acknowledged once its data is in the queue on disk)
//	(b) the same with an in-memory queue: what durability costs
//	(c) otlp → contrib redaction (the same PII patterns) → batch → contrib file exporter: the reference,
//	    run on its own build at contrib v0.161.0 (-reference; test/bench/reference says why)
//	(d) (a) with its queue on contrib file_storage (bbolt): what spool_storage saves
//	(e) otlp → batch → contrib file exporter on the reference build: the ceiling, a pipeline that does
//	    no processing and keeps nothing durable, so (a)/(e) is the share of the machine's OTLP rate
//	    the durable default keeps (goal >= 0.75)
//
// It records agentsim's OTLP/gRPC requests for a fixed number of sessions once (replay.go says
// why), then for each pipeline starts the binary on free loopback ports, replays those requests
// to it at maximum rate over OTLP gRPC, waits until the exporter has written every span
// (its own otelcol_exporter_sent_spans metric), and prints spans/s, CPU per span, the ratios
// (a)/(e) and (a)/(c) (the headlines), (a)/(b) (the cost of durability) and (a)/(d), and each
// collector's peak RSS (VmHWM).
//
//	go run ./test/bench/pipeline -collector bin/otelcol-agentaudit -reference $(scripts/contrib-reference.sh) -sessions 15000 -rounds 3
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The contrib redaction processor gets the patterns of the PII piiredaction finds in agentsim traffic,
// so both pipelines do comparable work.
const contribPatterns = `
      - '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
      - '\+?[0-9][0-9 ().-]{7,}[0-9]'
      - '\b(?:[0-9][ -]?){13,19}\b'
      - '\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b'
      - 'sk-(?:proj-)?[A-Za-z0-9_-]{20,}'
      - 'ghp_[A-Za-z0-9]{36}'`

// commonHead carries the pprof extension in every pipeline (idle unless -profile asks it for a CPU
// profile), so profiling changes no pipeline's configuration.
const commonHead = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${env:BENCH_OTLP}
service:
  telemetry:
    logs:
      level: warn
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${env:BENCH_METRICS_PORT}
`

type pipeline struct {
	name, exporter, config string
	// reference runs the pipeline on the contrib reference build instead of the distribution.
	reference bool
}

// pprofExtension is the pprof extension's config lines, under a pipeline's extensions section. Block
// and mutex sampling are on only when profiling (BENCH_BLOCK_RATE and BENCH_MUTEX_FRACTION are 0
// otherwise): a pipeline that leaves cores idle waits somewhere, and the CPU profile cannot say where.
const pprofExtension = `  pprof:
    endpoint: ${env:BENCH_PPROF}
    block_profile_fraction: ${env:BENCH_BLOCK_RATE}
    mutex_profile_fraction: ${env:BENCH_MUTEX_FRACTION}
`

// agentauditPipeline is otlp → piiredaction → agentaudit(file) with the given sending_queue lines.
func agentauditPipeline(extensions, service, queue string) string {
	return commonHead + service + `  pipelines:
    traces:
      receivers: [otlp]
      processors: [piiredaction]
      exporters: [agentaudit]
processors:
  piiredaction: {}
` + extensions + `exporters:
  agentaudit:
    store: file
    file:
      directory: ${env:BENCH_DIR}/store
    # A bounded queue that holds the receiver back when full, as (c)'s batch processor does: all
    # are measured under back-pressure, rather than (a)/(b) buffering most of the run. Batches are
    # bounded as config/local.yaml bounds them (1,024 to 8,192 spans, two in flight: one is mapped
    # while the other is written); the queue holds what 16 of the smallest take.
    sending_queue:
` + queue + `      sizer: items
      queue_size: 16384
      block_on_overflow: true
      num_consumers: 2
      batch:
        flush_timeout: 200ms
        sizer: items
        min_size: 1024
        max_size: 8192
`
}

// All pipelines batch with the same 200 ms timeout, so the last partial batch of a run costs
// each the same short wait. (a) is the headline: the durable default.
var pipelines = []pipeline{
	{
		name:     "(a) durable: piiredaction → agentaudit, spool_storage queue",
		exporter: "agentaudit",
		// The queue as config/local.yaml keeps it: spool_storage without fsync.
		config: agentauditPipeline(`extensions:
`+pprofExtension+`  spool_storage/queue:
    directory: ${env:BENCH_DIR}/queue
    create_directory: true
`, `  extensions: [pprof, spool_storage/queue]
`, `      storage: spool_storage/queue
`),
	},
	{
		name:     "(b) in-memory: piiredaction → agentaudit, memory queue",
		exporter: "agentaudit",
		config:   agentauditPipeline("extensions:\n"+pprofExtension, "  extensions: [pprof]\n", ""),
	},
	{
		name:      "(c) contrib: redaction → batch → file",
		exporter:  "file",
		reference: true,
		config: commonHead + `  extensions: [pprof]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [file]
processors:
  redaction:
    allow_all_keys: true
    blocked_values:` + contribPatterns + `
    summary: info
  batch:
    timeout: 200ms
exporters:
  file:
    path: ${env:BENCH_DIR}/traces.jsonl
extensions:
` + pprofExtension,
	},
	{
		name:     "(d) durable on contrib file_storage (bbolt) queue",
		exporter: "agentaudit",
		// The durable default before spool_storage: file_storage without fsync, compaction on.
		config: agentauditPipeline(`extensions:
`+pprofExtension+`  file_storage/queue:
    directory: ${env:BENCH_DIR}/queue
    create_directory: true
    compaction:
      on_start: true
      on_rebound: true
      directory: ${env:BENCH_DIR}/queue
`, `  extensions: [pprof, file_storage/queue]
`, `      storage: file_storage/queue
`),
	},
	{
		name:      "(e) ceiling: batch → file, no processing",
		exporter:  "file",
		reference: true,
		config: commonHead + `  extensions: [pprof]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
processors:
  batch:
    timeout: 200ms
exporters:
  file:
    path: ${env:BENCH_DIR}/traces.jsonl
extensions:
` + pprofExtension,
	},
}

type result struct {
	spans   int
	elapsed time.Duration
	sent    time.Duration // until every request was accepted; the rest of elapsed is draining
	memory
	// cpu is the collector's user+system CPU time for the run: on a shared machine, CPU per span is
	// a steadier measure of the pipeline's cost than wall-clock throughput.
	cpu time.Duration
}

func main() {
	collector := flag.String("collector", "bin/otelcol-agentaudit", "built collector binary")
	flag.StringVar(&referenceBin, "reference", "", "contrib reference collector for (c) (scripts/contrib-reference.sh builds it)")
	sessions := flag.Int("sessions", 15000, "agentsim sessions per pipeline and round (fixed count)")
	rounds := flag.Int("rounds", 3, "rounds, each running every pipeline; medians are reported")
	flag.StringVar(&profileDir, "profile", "", "directory to write a CPU profile of each pipeline's first round to (a.pprof … e.pprof)")
	flag.DurationVar(&profileFor, "profile-for", 15*time.Second, "length of each CPU profile, from the start of the replay")
	flag.StringVar(&only, "only", "abcde", "the pipelines to run, by letter (a contributor iterating on one: -only ae)")
	flag.Parse()
	if err := run(*collector, *sessions, *rounds, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-pipeline:", err)
		os.Exit(1)
	}
}

// profileDir and profileFor are the -profile flags: where first-round CPU profiles go, and how long each is.
// referenceBin is the -reference flag, only the -only flag.
var (
	referenceBin string
	only         string
	profileDir   string
	profileFor   time.Duration
)

// run alternates the pipelines for several rounds: on a shared machine a single run of each can
// land in a quiet and a busy moment, and the median of interleaved runs is far steadier.
func run(collector string, sessions, rounds int, w io.Writer) error {
	out := &reportWriter{w: w}
	if _, err := os.Stat(collector); err != nil {
		return fmt.Errorf("collector binary: %w (run make build)", err)
	}
	if _, err := os.Stat(referenceBin); err != nil {
		return fmt.Errorf("contrib reference binary (-reference): %w (scripts/contrib-reference.sh builds it)", err)
	}
	rec, err := record(sessions)
	if err != nil {
		return err
	}
	out.printf("agentsim: %d sessions, %d spans in %d OTLP/gRPC requests, replayed to each pipeline by %d senders\n",
		sessions, rec.spans, len(rec.requests), replaySenders)
	results := make([][]result, len(pipelines))
	out.printf("%-64s %8s %8s %8s %10s %13s %13s %9s %9s\n", "pipeline", "spans", "sent s", "seconds", "spans/s", "CPU µs/span", "peak RSS MiB",
		"idle RSS", "peak anon")
	for round := 1; round <= rounds; round++ {
		for i, p := range pipelines {
			letter := string(rune('a' + i))
			if !strings.Contains(only, letter) {
				continue
			}
			profile := ""
			if profileDir != "" && round == 1 {
				profile = filepath.Join(profileDir, letter+".pprof")
			}
			r, err := measure(collector, p, rec, profile)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			results[i] = append(results[i], r)
			printRow(out, fmt.Sprintf("round %d %s", round, p.name), r)
		}
	}
	medians := make([]result, len(pipelines))
	for i, p := range pipelines {
		if len(results[i]) > 0 {
			medians[i] = median(results[i])
			printRow(out, "median "+p.name, medians[i])
		}
	}
	printRatios(out, rounds, medians)
	return out.err
}

// printRatios prints the same-run ratios of the pipelines that ran (a median with no spans did not).
func printRatios(out *reportWriter, rounds int, medians []result) {
	durable, inMemory, contrib, bbolt, ceiling := medians[0], medians[1], medians[2], medians[3], medians[4]
	if durable.spans == 0 {
		return
	}
	if ceiling.spans > 0 {
		out.printf("ratio (a) durable / (e) ceiling, medians of %d rounds: %.2f of the ceiling's spans/s (goal >= 0.75); %.2f per CPU second\n",
			rounds, rate(durable)/rate(ceiling), cpuPerSpan(ceiling)/cpuPerSpan(durable))
	}
	if contrib.spans > 0 {
		out.printf("ratio (a) durable / (c) contrib, medians of %d rounds: %.2fx spans/s (goal >= 4x); %.2fx spans per CPU second; peak RSS %d vs %d MiB (goal <=)\n",
			rounds, rate(durable)/rate(contrib), cpuPerSpan(contrib)/cpuPerSpan(durable), durable.peakKiB/1024, contrib.peakKiB/1024)
		out.printf("memory (a) durable vs (c) contrib: at rest %d vs %d MiB RSS (the binaries' pages and fixed tables); peak anonymous RSS %d vs %d MiB (what the work allocated)\n",
			durable.idleKiB/1024, contrib.idleKiB/1024, durable.peakAnonKiB/1024, contrib.peakAnonKiB/1024)
	}
	if inMemory.spans > 0 {
		out.printf("cost of durability, (a) disk queue vs (b) memory queue: %.2fx spans/s, %+.1f CPU µs/span (%+.0f%%), peak RSS %d vs %d MiB\n",
			rate(durable)/rate(inMemory), cpuPerSpan(durable)-cpuPerSpan(inMemory),
			100*(cpuPerSpan(durable)/cpuPerSpan(inMemory)-1), durable.peakKiB/1024, inMemory.peakKiB/1024)
	}
	if bbolt.spans > 0 {
		out.printf("queue storage, (a) spool_storage vs (d) file_storage: %.2fx spans/s, %+.1f CPU µs/span, peak RSS %d vs %d MiB\n",
			rate(durable)/rate(bbolt), cpuPerSpan(durable)-cpuPerSpan(bbolt), durable.peakKiB/1024, bbolt.peakKiB/1024)
	}
}

// reportWriter keeps the first failed write, so run reports it once instead of checking every line.
type reportWriter struct {
	w   io.Writer
	err error
}

func (r *reportWriter) printf(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, args...)
	}
}

func printRow(out *reportWriter, name string, r result) {
	out.printf("%-64s %8d %8.1f %8.1f %10.0f %13.1f %13d %9d %9d\n", name, r.spans, r.sent.Seconds(), r.elapsed.Seconds(), rate(r),
		cpuPerSpan(r), r.peakKiB/1024, r.idleKiB/1024, r.peakAnonKiB/1024)
}

// median takes each measure's median on its own (peak RSS: the highest seen).
func median(rs []result) result {
	pick := func(get func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = get(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	m := result{spans: rs[0].spans}
	m.elapsed = time.Duration(pick(func(r result) float64 { return float64(r.elapsed) }))
	m.sent = time.Duration(pick(func(r result) float64 { return float64(r.sent) }))
	m.cpu = time.Duration(pick(func(r result) float64 { return float64(r.cpu) }))
	for _, r := range rs {
		m.idleKiB = max(m.idleKiB, r.idleKiB)
		m.peakKiB = max(m.peakKiB, r.peakKiB)
		m.peakAnonKiB = max(m.peakAnonKiB, r.peakAnonKiB)
	}
	return m
}

func cpuPerSpan(r result) float64 { return float64(r.cpu.Microseconds()) / float64(r.spans) }

func rate(r result) float64 { return float64(r.spans) / r.elapsed.Seconds() }

// measure runs one pipeline once; with a profile path it also writes a CPU profile of the replay.
func measure(collector string, p pipeline, rec *recording, profile string) (_ result, err error) {
	dir, err := os.MkdirTemp("", "bench-pipeline-")
	if err != nil {
		return result{}, err
	}
	defer func() {
		// Runs after the collector is killed (defers run last-in first-out).
		if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(p.config), 0o600); err != nil {
		return result{}, err
	}
	otlp, metricsPort, pprofAddr := freePort(), strings.TrimPrefix(freePort(), "127.0.0.1:"), freePort()
	metricsURL := "http://127.0.0.1:" + metricsPort + "/metrics"
	if p.reference {
		collector = referenceBin
	}
	cmd := exec.Command(collector, "--config", config)
	cmd.Env = append(os.Environ(), "BENCH_OTLP="+otlp, "BENCH_DIR="+dir, "BENCH_METRICS_PORT="+metricsPort, "BENCH_PPROF="+pprofAddr)
	if profile != "" {
		// One blocking event per 100 µs blocked, one mutex contention in 10.
		cmd.Env = append(cmd.Env, "BENCH_BLOCK_RATE=100000", "BENCH_MUTEX_FRACTION=10")
	} else {
		cmd.Env = append(cmd.Env, "BENCH_BLOCK_RATE=0", "BENCH_MUTEX_FRACTION=0")
	}
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if err := waitUntil(60*time.Second, func() bool { _, err := sentSpans(metricsURL, p.exporter); return err == nil }); err != nil {
		return result{}, fmt.Errorf("collector did not come up: %w\n%s", err, logs.String())
	}

	cpuBefore, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	profiled := make(chan error, 1)
	if profile != "" {
		// The metrics page answers before extensions have started.
		if err := waitUntil(30*time.Second, func() bool { return listening(pprofAddr) }); err != nil {
			return result{}, fmt.Errorf("pprof extension: %w", err)
		}
		go func() { profiled <- fetchProfile(pprofAddr, profile) }()
	} else {
		profiled <- nil
	}
	idle, err := procStatus(cmd.Process.Pid, "VmRSS")
	if err != nil {
		return result{}, err
	}
	anon := startAnonSampler(cmd.Process.Pid)
	began := time.Now()
	if err := replay(context.Background(), otlp, rec); err != nil {
		return result{}, fmt.Errorf("replay: %w", err)
	}
	sent := time.Since(began)
	if err := waitUntil(10*time.Minute, func() bool {
		n, err := sentSpans(metricsURL, p.exporter)
		return err == nil && n >= float64(rec.spans)
	}); err != nil {
		return result{}, fmt.Errorf("not all %d spans written: %w\n%s", rec.spans, err, logs.String())
	}
	elapsed := time.Since(began)
	cpuAfter, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	peakAnon, err := anon.stop()
	if err != nil {
		return result{}, err
	}
	peak, err := procStatus(cmd.Process.Pid, "VmHWM")
	if err != nil {
		return result{}, err
	}
	if err := <-profiled; err != nil {
		return result{}, fmt.Errorf("cpu profile: %w", err)
	}
	return result{spans: rec.spans, elapsed: elapsed, sent: sent, memory: memory{idleKiB: idle["VmRSS"], peakKiB: peak["VmHWM"], peakAnonKiB: peakAnon}, cpu: cpuAfter - cpuBefore}, nil
}

// fetchProfile writes the collector's CPU profile over the next profileFor to path, then its
// allocation, blocking and mutex profiles (since start) beside it (path with .allocs, .block or
// .mutex before the extension).
func fetchProfile(pprofAddr, path string) error {
	cpu := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, int(profileFor.Seconds()))
	if err := download(cpu, path); err != nil {
		return err
	}
	for _, kind := range []string{"allocs", "block", "mutex"} {
		beside := strings.TrimSuffix(path, filepath.Ext(path)) + "." + kind + filepath.Ext(path)
		if err := download(fmt.Sprintf("http://%s/debug/pprof/%s", pprofAddr, kind), beside); err != nil {
			return err
		}
	}
	return nil
}

func download(url, path string) error {
	body, status, err := get(url)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("pprof: %d %s", status, http.StatusText(status))
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o600)
}

// get reads a whole response body and its status code.
func get(url string) (body []byte, status int, err error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, 0, err
	}
	body, err = io.ReadAll(resp.Body)
	if closeErr := resp.Body.Close(); err == nil {
		err = closeErr
	}
	return body, resp.StatusCode, err
}

// sentSpans reads otelcol_exporter_sent_spans of one exporter from the collector's metrics page.
func sentSpans(url, exporter string) (float64, error) {
	body, _, err := get(url)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "otelcol_exporter_sent_spans{") && strings.Contains(line, `exporter="`+exporter+`"`) {
			fields := strings.Fields(line)
			return strconv.ParseFloat(fields[len(fields)-1], 64)
		}
	}
	return 0, nil
}

// cpuTime is a process's user+system CPU time from /proc/<pid>/stat (in clock ticks of 1/100 s).
func cpuTime(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the parenthesised command name; utime and stime are fields 14 and 15 overall.
	i := strings.LastIndexByte(string(stat), ')')
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

func waitUntil(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func listening(addr string) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return false
	}
	return conn.Close() == nil
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		panic(err)
	}
	return addr
}
