package production

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestKafkaGatewayFailedGroupWriteCommitsNothing: the gateway's group commit (many Kafka messages
// merged into one store write, config/kafka-gateway.yaml) must not let an offset go before the
// write it waits for succeeded. The gateway's file store is a tmpfs that is filled up mid-stream, so
// every merged write fails (ENOSPC) and is retried; the gateway is then killed with SIGKILL, space
// is freed, and a second gateway of the group takes over from the committed offsets: every record
// of the run is stored. Had a failed write's messages been marked, the second gateway would start
// past them and they would be missing.
func TestKafkaGatewayFailedGroupWriteCommitsNothing(t *testing.T) {
	run := startKafkaRun(t, 4, 5151, nil)
	k, reqs, plan, want, sc, s := run.kafkaTopology, run.reqs, run.plan, run.want, run.sc, run.send
	k.dataDir = mountSmallFS(t, "64m")
	g1 := k.gateway("gateway-1", nil)
	if !waitFor(60*time.Second, func() bool {
		return metricSum(t, g1.Metrics(), "otelcol_exporter_sent_spans", "")+metricSum(t, g1.Metrics(), "otelcol_exporter_sent_log_records", "") > 0
	}) {
		t.Fatalf("gateway-1 wrote nothing\n%s", g1.Logs())
	}
	filler := fillUp(t, k.dataDir)
	sendRequests(s, reqs[1:])
	if !waitFor(60*time.Second, func() bool { return strings.Contains(g1.Logs(), exportFailedLog) }) {
		t.Fatalf("gateway-1 did not fail to write on a full disk\n%s", g1.Logs())
	}
	// Longer than the receiver's autocommit interval (1s): anything marked would be committed now.
	time.Sleep(3 * time.Second)
	g1.Kill()
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	g2 := k.gateway("gateway-2", nil)
	waitKafkaDelivered(t, k, want, 180*time.Second, allLogs(sc, g1, g2))
	checkIdentityAndVerify(t, k, plan)
}
