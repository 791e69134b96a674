package production

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spansPerRequest is the size of one client export request in the reliability tests, close to what
// agent SDKs send.
const spansPerRequest = 50

// ackedTraffic drives OTLP requests of chatTraces from several senders and remembers which batches
// the collector acknowledged.
type ackedTraffic struct {
	mu       sync.Mutex
	acked    []int
	next     atomic.Int64
	failures atomic.Int64
	stop     atomic.Bool
	wg       sync.WaitGroup
}

// start runs senders that each send the next batch, then wait `pause` (0: none), until stop.
func (a *ackedTraffic) start(senders int, pause time.Duration, send func(td ptrace.Traces) error) {
	for range senders {
		a.wg.Go(func() {
			for !a.stop.Load() {
				b := int(a.next.Add(1))
				if err := send(chatTraces(b, spansPerRequest)); err != nil {
					a.failures.Add(1)
					time.Sleep(100 * time.Millisecond)
				} else {
					a.mu.Lock()
					a.acked = append(a.acked, b)
					a.mu.Unlock()
				}
				if pause > 0 {
					time.Sleep(pause)
				}
			}
		})
	}
}

// halt stops the senders and waits for their last requests.
func (a *ackedTraffic) halt() {
	a.stop.Store(true)
	a.wg.Wait()
}

func (a *ackedTraffic) ackedCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.acked)
}

// ackedSpans are the span ids of every acknowledged request.
func (a *ackedTraffic) ackedSpans() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ids []string
	for _, b := range a.acked {
		for i := range spansPerRequest {
			ids = append(ids, spanIDHex(b, i))
		}
	}
	return ids
}

// recordsPerSpan is how many distinct records one chatTraces span becomes, learnt from batch 0.
func recordsPerSpan(t *testing.T, gw *gateway, send func(td ptrace.Traces) error) int {
	t.Helper()
	if err := send(chatTraces(0, 1)); err != nil {
		t.Fatal(err)
	}
	var n int
	if !waitFor(60*time.Second, func() bool {
		spans, _ := bySpan(gw.s3.records(t))
		n = len(spans[spanIDHex(0, 0)])
		return n > 0
	}) {
		t.Fatalf("baseline span not stored\n%s", gw.Logs())
	}
	return n
}

// TestKill9LosesNoAcknowledgedRecord kills the gateway with SIGKILL while four clients stream
// requests into it and its persistent queue holds unexported data, restarts it on the same queue, and
// checks that every request the clients got an OK for ended up in S3 with all its records.
func TestKill9LosesNoAcknowledgedRecord(t *testing.T) {
	gw := startGateway(t, startS3(t), gatewayOptions{})
	conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, gw.token, td) }
	perSpan := recordsPerSpan(t, gw, send)

	var traffic ackedTraffic
	traffic.start(4, 0, send)
	// Kill mid-stream, once the clients have had many requests acknowledged and the queue holds data
	// not yet written to S3.
	if !waitFor(60*time.Second, func() bool {
		return traffic.ackedCount() >= 40 && metricSum(t, gw.Metrics(), "otelcol_exporter_queue_size", "agentaudit/s3") > 0
	}) {
		traffic.halt()
		t.Fatalf("no backlog to kill into: %d requests acknowledged", traffic.ackedCount())
	}
	gw.Kill()
	traffic.halt()
	acked := traffic.ackedSpans()
	t.Logf("killed with %d requests (%d spans) acknowledged, %d failed", traffic.ackedCount(), len(acked), traffic.failures.Load())

	gw.Restart()
	var missing []string
	var duplicates, stored int
	if !waitFor(120*time.Second, func() bool {
		recs := gw.s3.records(t)
		spans, dups := bySpan(recs)
		duplicates, stored = dups, len(recs)
		missing = missingSpans(spans, acked, perSpan)
		return len(missing) == 0
	}) {
		t.Fatalf("%d of %d acknowledged spans are missing records after the restart, e.g. %v\ncollector log:\n%s",
			len(missing), len(acked), missing[:min(5, len(missing))], gw.Logs())
	}
	t.Logf("after restart: all %d acknowledged spans stored with %d records each; %d records in S3, %d stored twice (at-least-once after a crash)",
		len(acked), perSpan, stored, duplicates)
}
