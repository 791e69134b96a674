package production

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// saslEnv points a Kafka collector at the broker's SASL_SSL listener with the given password (it
// starts the shared broker first: its setup picks the listener).
func saslEnv(t *testing.T, password string) map[string]string {
	t.Helper()
	sharedKafka.Get(t)
	return map[string]string{
		"AGENTAUDIT_KAFKA_BROKERS":  kafkaSASL.Addr,
		"AGENTAUDIT_KAFKA_CA_FILE":  kafkaSASL.CAFile,
		"AGENTAUDIT_KAFKA_USERNAME": kafkaUser,
		"AGENTAUDIT_KAFKA_PASSWORD": password,
	}
}

// TestKafkaSASLSCRAMOverTLS: sidecar and gateway with the shipped SASL overlays reach the broker's
// SASL_SSL listener (SCRAM-SHA-512, TLS checked against the broker's CA), and the store reads as a
// single collector's.
func TestKafkaSASLSCRAMOverTLS(t *testing.T) {
	env := saslEnv(t, kafkaPassword)
	k := startKafkaRun(t, 2, 777, env, configPath(t, "kafka-sidecar-sasl.yaml"))
	g := k.gateway("gateway-1", env, configPath(t, "kafka-gateway-sasl.yaml"))
	sendRequests(k.send, k.reqs[1:])
	waitKafkaDelivered(t, k.kafkaTopology, k.want, 120*time.Second, allLogs(k.sc, g))
	checkIdentityAndVerify(t, k.kafkaTopology, k.plan)
}

// TestKafkaWrongCredentialsFailClearly: a sidecar and a gateway with a wrong SCRAM password do not
// start: each exits non-zero on its own (well before runUntilExit's 90 s), naming the settings at
// fault (kafka_auth_check, in the SASL overlays) and never the password. Nothing was acknowledged:
// the OTLP receivers never opened.
func TestKafkaWrongCredentialsFailClearly(t *testing.T) {
	k := newKafkaTopology(t)
	env := saslEnv(t, "not-the-password")
	for name, c := range map[string]collectortest.Options{
		"sidecar": {Config: configPath(t, "kafka-sidecar.yaml"), ExtraConfigs: []string{configPath(t, "kafka-sidecar-sasl.yaml")}},
		"gateway": {Config: configPath(t, "kafka-gateway.yaml"), ExtraConfigs: []string{configPath(t, "kafka-gateway-sasl.yaml")}},
	} {
		dir := t.TempDir()
		c.Env = k.with(env)
		c.Env["AGENTAUDIT_DATA_DIR"], c.Env["AGENTAUDIT_QUEUE_DIR"] = dir, filepath.Join(dir, "queue")
		c.Env["AGENTAUDIT_IDENTITY_DIR"] = filepath.Join(dir, "identity")
		began := time.Now()
		out, err := runUntilExit(t, c)
		took := time.Since(began)
		var exit *exec.ExitError
		switch {
		case !errors.As(err, &exit) || took > 60*time.Second:
			t.Errorf("%s with a wrong password: want it to exit non-zero on its own, got %v after %v:\n%s", name, err, took, out)
		case !strings.Contains(out, "refused the SASL credentials") || !strings.Contains(out, "auth.sasl.username / auth.sasl.password"):
			t.Errorf("%s exited without naming auth.sasl.username / auth.sasl.password:\n%s", name, out)
		}
		if strings.Contains(out, "not-the-password") {
			t.Errorf("%s printed the password", name)
		}
		t.Logf("%s exited (%v) after %v: %s", name, err, took.Round(time.Millisecond), lastLine(out))
	}
}

// TestKafkaSASLSidecarStartsDuringOutage: with the SASL overlay and no broker listening, the
// sidecar still starts (the credential check only warns), accepts requests and keeps them in its
// persistent queue rather than dropping them.
func TestKafkaSASLSidecarStartsDuringOutage(t *testing.T) {
	k := newKafkaTopology(t)
	env := saslEnv(t, kafkaPassword)
	env["AGENTAUDIT_KAFKA_BROKERS"] = fmt.Sprintf("127.0.0.1:%d", collectortest.FreePort(t))
	sc := k.sidecar(env, configPath(t, "kafka-sidecar-sasl.yaml"))
	if !strings.Contains(sc.Logs(), "not reachable at start") {
		t.Errorf("the sidecar does not warn that the brokers were unreachable at start:\n%s", sc.Logs())
	}
	reqs, _ := splitAgentRun(t, 1, 99)
	sendRequests(sender{t, "http://" + sc.HTTPEndpoint}, reqs[:5])
	if n := metricSum(t, sc.Metrics(), "otelcol_exporter_send_failed_spans", `exporter="kafka"`); n != 0 {
		t.Errorf("the sidecar gave up on %v spans; during an outage they must stay queued", n)
	}
	if !waitFor(30*time.Second, func() bool {
		return metricSum(t, sc.Metrics(), "otelcol_exporter_queue_size", `exporter="kafka"`) > 0
	}) {
		t.Errorf("nothing in the sidecar's queue: what happened to the acknowledged requests?")
	}
}

// bigSpan is one span whose prompt attribute is n bytes of text.
func bigSpan(n int) ptrace.Traces {
	td := chatTraces(9000+n%1000, 1)
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	span.Attributes().PutStr("gen_ai.prompt", strings.Repeat("lorem ipsum dolor sit amet ", n/27+1)[:n])
	return td
}

// TestKafkaMessageSizeLimits: a request over the sidecar's 4 MiB cap is refused before anything is
// acknowledged (HTTP 400), while one of 3 MB, larger than a broker's 1 MB default, is produced (the
// broker from scripts/kafka-broker accepts the producer's 8 MB) and stored.
func TestKafkaMessageSizeLimits(t *testing.T) {
	k := newKafkaTopology(t)
	sc := k.sidecar(nil)
	base := "http://" + sc.HTTPEndpoint
	post := func(td ptrace.Traces) int {
		body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(base+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	// The OTLP/HTTP receiver answers a body over max_request_body_size with 400 (or 413): an error
	// the client sees, nothing acknowledged.
	if code := post(bigSpan(5 << 20)); code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 5 MiB request: HTTP %d, want 400 or 413 (refused before it is acknowledged)", code)
	}
	large := bigSpan(3_000_000)
	if code := post(large); code != http.StatusOK {
		t.Fatalf("a 3 MB request: HTTP %d", code)
	}
	g := k.gateway("gateway-1", nil)
	spanID := large.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SpanID().String()
	if !waitFor(90*time.Second, func() bool {
		v := viewOf(t, k.store())
		return len(v.perSpan[spanID]) > 0
	}) {
		t.Fatalf("the 3 MB span never reached the store\n%s", allLogs(sc, g)())
	}
	if n := metricSum(t, sc.Metrics(), "otelcol_exporter_send_failed_spans", `exporter="kafka"`); n != 0 {
		t.Errorf("the sidecar dropped %v spans", n)
	}
}

// lastLine is the last non-empty line of out (where the collector says why it exited).
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}
