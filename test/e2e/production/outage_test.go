package production

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// outageLength is how long a store stays down mid-stream.
const outageLength = 30 * time.Second

// storeOutage is one store's part in an outage test.
type storeOutage struct {
	name    string
	stop    func()
	restart func()
	records func() []*auditrecord.Record
}

// runOutage streams paced requests into gw, takes the store down for outageLength once traffic
// flows, brings it back, and checks that every acknowledged span is stored exactly once: 0 lost,
// 0 duplicates. Clients keep getting acknowledgements during the outage: the persistent queue takes
// the data.
func runOutage(t *testing.T, gw *gateway, s storeOutage) {
	conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, gw.token, td) }
	perSpan := recordsPerSpan(t, gw, send)

	var traffic ackedTraffic
	traffic.start(2, 100*time.Millisecond, send)
	defer traffic.halt()
	if !waitFor(60*time.Second, func() bool { return traffic.ackedCount() >= 10 }) {
		t.Fatalf("traffic does not flow: %d acknowledged, %d failed\n%s", traffic.ackedCount(), traffic.failures.Load(), gw.Logs())
	}
	s.stop()
	down := time.Now()
	ackedBefore := traffic.ackedCount()
	if !waitFor(outageLength, func() bool { return strings.Count(gw.Logs(), exportFailedLog) > 0 }) {
		t.Errorf("the gateway did not notice the %s outage", s.name)
	}
	time.Sleep(time.Until(down.Add(outageLength)))
	ackedDuring := traffic.ackedCount() - ackedBefore
	s.restart()
	if ackedDuring == 0 {
		t.Errorf("no request was acknowledged during the %s outage: the queue should have taken them", s.name)
	}
	afterRestart := traffic.ackedCount()
	if !waitFor(60*time.Second, func() bool { return traffic.ackedCount() >= afterRestart+10 }) {
		t.Errorf("traffic did not resume after the %s came back", s.name)
	}
	traffic.halt()
	acked := traffic.ackedSpans()

	var missing []string
	var duplicates, stored int
	if !waitFor(180*time.Second, func() bool {
		recs := s.records()
		spans, dups := bySpan(recs)
		missing, duplicates, stored = missingSpans(spans, acked, perSpan), dups, len(recs)
		return len(missing) == 0
	}) {
		t.Fatalf("%s: %d of %d acknowledged spans lost, e.g. %v\ncollector log:\n%s", s.name, len(missing), len(acked),
			missing[:min(5, len(missing))], gw.Logs())
	}
	if duplicates != 0 {
		t.Errorf("%s: %d records stored twice", s.name, duplicates)
	}
	t.Logf("%s outage of %s: %d requests acknowledged (%d during the outage, %d refused), %d spans → %d records, 0 lost, %d duplicates",
		s.name, outageLength, len(acked)/spansPerRequest, ackedDuring, traffic.failures.Load(), len(acked), stored, duplicates)
}

// TestS3OutageLosesNothing stops versitygw for 30 s mid-stream.
func TestS3OutageLosesNothing(t *testing.T) {
	s3t := startS3(t)
	gw := startGateway(t, s3t, gatewayOptions{})
	runOutage(t, gw, storeOutage{
		name:    "S3",
		stop:    s3t.srv.Stop,
		restart: s3t.srv.Restart,
		records: func() []*auditrecord.Record { return s3t.records(t) },
	})
}
