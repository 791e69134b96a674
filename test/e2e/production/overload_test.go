package production

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	// memoryLimitMiB is the process memory the overload test allows; the memory_limiter in
	// testdata/gateway-memory-limit.yaml is set to 256 MiB of heap with GOMEMLIMIT below it, the way
	// a 512 MiB container limit would be configured (docs/deployment.md).
	memoryLimitMiB = 512
	overloadFactor = 10
	overloadLength = 60 * time.Second
	// maxInFlight bounds the load generator's concurrent requests.
	maxInFlight = 256
)

// vmHWM is the peak resident set size of a process, in KiB.
func vmHWM(t *testing.T, pid int) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read /proc/%d/status: %v", pid, err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// TestOverloadAnswersRetryableErrorsAndRecovers measures the gateway's sustainable rate (spans
// stored per second), then offers 10× that for 60 s. The gateway must stay up with its peak RSS
// under the limit, refuse what it cannot take with retryable OTLP errors (Unavailable or
// ResourceExhausted), keep everything it acknowledged, and take requests again afterwards.
func TestOverloadAnswersRetryableErrorsAndRecovers(t *testing.T) {
	gw := startGateway(t, startS3(t), gatewayOptions{
		extraConfigs: []string{testdataPath(t, "gateway-memory-limit.yaml")},
		env: map[string]string{
			"GOMEMLIMIT": "384MiB",
			// A small queue, so the overload reaches the front door within the test's minute instead
			// of filling a production-sized disk queue.
			"AGENTAUDIT_QUEUE_SIZE": "200",
		},
	})
	conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, gw.token, td) }
	perSpan := recordsPerSpan(t, gw, send)

	// Sustainable rate: 40 requests sent by 4 clients, until all their records are in S3.
	var calibration ackedTraffic
	calibration.next.Store(1_000_000)
	began := time.Now()
	calibration.start(4, 0, send)
	waitFor(60*time.Second, func() bool { return calibration.ackedCount() >= 40 })
	calibration.halt()
	calibrated := calibration.ackedSpans()
	if !waitFor(120*time.Second, func() bool { return sentSpans(t, gw) >= float64(1+len(calibrated)) }) {
		t.Fatalf("calibration traffic not stored\n%s", gw.Logs())
	}
	sustainable := float64(len(calibrated)) / time.Since(began).Seconds()
	offered := overloadFactor * sustainable / spansPerRequest // requests per second
	t.Logf("sustainable: %.0f spans/s stored; offering %.0f spans/s (%.1f requests/s) for %s", sustainable,
		offered*spansPerRequest, offered, overloadLength)

	// Overload: open loop, a request every 1/offered seconds whatever the answers.
	var (
		acked        ackedTraffic
		inFlight     sync.WaitGroup
		inFlightN    atomic.Int64
		sent         atomic.Int64
		skipped      atomic.Int64
		codesMu      sync.Mutex
		refusedCodes = map[codes.Code]int{}
	)
	acked.next.Store(2_000_000)
	ticker := time.NewTicker(time.Duration(float64(time.Second) / offered))
	deadline := time.Now().Add(overloadLength)
	for now := range ticker.C {
		if now.After(deadline) {
			break
		}
		if inFlightN.Load() >= maxInFlight {
			skipped.Add(1)
			continue
		}
		inFlightN.Add(1)
		sent.Add(1)
		inFlight.Go(func() {
			defer inFlightN.Add(-1)
			b := int(acked.next.Add(1))
			err := send(chatTraces(b, spansPerRequest))
			if err == nil {
				acked.mu.Lock()
				acked.acked = append(acked.acked, b)
				acked.mu.Unlock()
				return
			}
			codesMu.Lock()
			refusedCodes[status.Code(err)]++
			codesMu.Unlock()
		})
	}
	ticker.Stop()
	inFlight.Wait()
	if gw.Exited() {
		t.Fatalf("the gateway died under overload\n%s", gw.Logs())
	}
	peakMiB := vmHWM(t, gw.PID()) / 1024
	t.Logf("overload: %d requests sent (%d not sent: %d already in flight), %d acknowledged, refused by code: %v; peak RSS %d MiB",
		sent.Load(), skipped.Load(), maxInFlight, acked.ackedCount(), refusedCodes, peakMiB)
	if peakMiB >= memoryLimitMiB {
		t.Errorf("peak RSS %d MiB reached the %d MiB limit", peakMiB, memoryLimitMiB)
	}
	refused := 0
	for code, n := range refusedCodes {
		refused += n
		if code != codes.Unavailable && code != codes.ResourceExhausted {
			t.Errorf("%d requests refused with %v, which clients do not retry", n, code)
		}
	}
	if refused == 0 {
		t.Errorf("nothing was refused at %d× the sustainable rate: the overload did not overload", overloadFactor)
	}

	// Recovery: new requests are taken again, and everything acknowledged is stored.
	recovered := false
	for range 60 {
		if err := send(chatTraces(3_000_000, 1)); err == nil {
			recovered = true
			break
		}
		time.Sleep(time.Second)
	}
	if !recovered {
		t.Fatalf("the gateway still refuses requests a minute after the overload\n%s", gw.Logs())
	}
	all := append(acked.ackedSpans(), spanIDHex(3_000_000, 0))
	drained := waitFor(180*time.Second, func() bool {
		return sentSpans(t, gw) >= float64(1+len(calibrated)+len(all))
	})
	spans, _ := bySpan(gw.s3.records(t))
	if missing := missingSpans(spans, all, perSpan); len(missing) > 0 || !drained {
		t.Fatalf("%d of %d acknowledged spans not stored after the overload\n%s", len(missing), len(all), gw.Logs())
	}
}

// sentSpans is how many spans the gateway's S3 exporter has written since it started.
func sentSpans(t *testing.T, gw *gateway) float64 {
	return metricSum(t, gw.Metrics(), "otelcol_exporter_sent_spans", `exporter="agentaudit/s3"`)
}
