package production

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// startSidecar runs config/sidecar.yaml exporting to gw with gw's CA and token.
func startSidecar(t testing.TB, gw *gateway, env map[string]string) *collectortest.Collector {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"AGENTAUDIT_GATEWAY_ENDPOINT":   gw.GRPCEndpoint,
		"AGENTAUDIT_GATEWAY_CA_FILE":    gw.pki.CAFile,
		"AGENTAUDIT_GATEWAY_TOKEN_FILE": writeFile(t, dir, "token", gw.token+"\n"),
		"AGENTAUDIT_QUEUE_DIR":          filepath.Join(dir, "queue"),
		"AGENTAUDIT_METRICS_HOST":       "127.0.0.1",
	}
	for k, v := range env {
		all[k] = v
	}
	return collectortest.Start(t, collectortest.Options{Config: configPath(t, "sidecar.yaml"), Env: all})
}

// TestCollectorLogsNeverContainPII sends PII-laden agent traffic (agentsim sessions with logs, plus
// chat spans with cards, keys, phones, SSNs and e-mails) through sidecar → gateway → S3 with both
// collectors logging at debug level, including an S3 outage so that failure paths log too, and then
// searches both collectors' entire log output — and the stored records — for every planted value.
func TestCollectorLogsNeverContainPII(t *testing.T) {
	s3t := startS3(t)
	debug := map[string]string{"AGENTAUDIT_LOG_LEVEL": "debug"}
	gw := startGateway(t, s3t, gatewayOptions{env: debug})
	sidecar := startSidecar(t, gw, debug)
	ctx := context.Background()

	simCfg := agentsim.Config{
		Endpoint: sidecar.GRPCEndpoint, Protocol: "grpc", Insecure: true,
		Sessions: 12, Users: 4, Seed: 11, Logs: true,
	}
	if _, err := agentsim.Run(ctx, simCfg); err != nil {
		t.Fatalf("agentsim: %v\nsidecar log:\n%s", err, sidecar.Logs())
	}
	conn := dialGRPC(t, sidecar.GRPCEndpoint, nil)
	const batches, perBatch = 4, 5
	for b := range batches {
		if b == 2 {
			s3t.srv.Stop() // the gateway's exporter now fails and retries: error paths log
		}
		if err := exportGRPC(ctx, conn, "", chatTraces(b, perBatch)); err != nil {
			t.Fatalf("batch %d: %v", b, err)
		}
	}
	if !waitFor(60*time.Second, func() bool { return strings.Contains(gw.Logs(), exportFailedLog) }) {
		t.Errorf("the S3 outage left no %q in the gateway log: the failure path went unchecked", exportFailedLog)
	}
	s3t.srv.Restart()

	sessions := agentsim.Plan(simCfg)
	var recs []byte
	ok := waitFor(90*time.Second, func() bool {
		stored := s3t.records(t)
		spans, _ := bySpan(stored)
		sessionsSeen := map[string]bool{}
		for _, r := range stored {
			sessionsSeen[r.SessionID] = true
		}
		for _, s := range sessions {
			if !sessionsSeen[s.ID] {
				return false
			}
		}
		for b := range batches {
			for i := range perBatch {
				if len(spans[spanIDHex(b, i)]) == 0 {
					return false
				}
			}
		}
		var err error
		recs, err = json.Marshal(stored)
		return err == nil
	})
	if !ok {
		t.Fatalf("not everything reached S3\ngateway log:\n%s\nsidecar log:\n%s", gw.Logs(), sidecar.Logs())
	}

	if !strings.Contains(string(recs), "[REDACTED:EMAIL]") {
		t.Errorf("stored records show no redaction placeholder: the planted PII did not reach the redactor")
	}
	logs := map[string]string{"gateway log": gw.Logs(), "sidecar log": sidecar.Logs(), "stored records": string(recs)}
	for what, text := range logs {
		if what != "stored records" && !strings.Contains(text, "\tdebug\t") {
			t.Errorf("%s has no debug lines: the test would prove nothing", what)
		}
		assertNoPII(t, what, text, batches, perBatch)
		for _, s := range sessions {
			for _, v := range append(append(append(s.PII.Emails, s.PII.Phones...), s.PII.Cards...), s.PII.APIKeys...) {
				if strings.Contains(text, v) {
					t.Errorf("%s contains agentsim PII %q (session %s)", what, v, s.ID)
				}
			}
		}
	}
}

// exportFailedLog is what exporterhelper logs (with the error) when a store write fails.
const exportFailedLog = "Exporting failed"
