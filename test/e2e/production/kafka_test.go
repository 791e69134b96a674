package production

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/kafkabroker"
)

// The Kafka topology (config/kafka-sidecar.yaml → Kafka → config/kafka-gateway.yaml) on the built
// binary against one real broker for the package (scripts/kafka-broker), which also serves a
// SASL_SSL listener with SCRAM-SHA-512 for kafka_sasl_test.go.
var sharedKafka = &kafkabroker.Shared{Setup: kafkabroker.SCRAMOverTLS(kafkaSASL, 6)}

const (
	kafkaUser     = "agentaudit-sidecar"
	kafkaPassword = "scram-secret-for-tests"
)

// kafkaSASL is the broker's SASL_SSL listener and the CA that signed its certificate.
var kafkaSASL = &kafkabroker.SASLListener{User: kafkaUser, Password: kafkaPassword}

// kafkaTopology is one test's topics and consumer group on the shared broker, and the file store
// its gateways share (each with its own instance_id, i.e. its own chains).
type kafkaTopology struct {
	t       testing.TB
	broker  *kafkabroker.Broker
	env     map[string]string
	dataDir string
}

var (
	topicUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	// topologies numbers the topologies of a run: a benchmark function runs more than once under one name.
	topologies atomic.Int64
)

func newKafkaTopology(t testing.TB) *kafkaTopology {
	t.Helper()
	b := sharedKafka.Get(t)
	name := fmt.Sprintf("%s-%d", topicUnsafe.ReplaceAllString(t.Name(), "-"), topologies.Add(1))
	return &kafkaTopology{t: t, broker: b, dataDir: t.TempDir(), env: map[string]string{
		"AGENTAUDIT_KAFKA_BROKERS":      b.Addr,
		"AGENTAUDIT_KAFKA_TRACES_TOPIC": name + "-spans",
		"AGENTAUDIT_KAFKA_LOGS_TOPIC":   name + "-logs",
		"AGENTAUDIT_KAFKA_GROUP_ID":     name + "-gateways",
		"AGENTAUDIT_METRICS_HOST":       "127.0.0.1",
	}}
}

func (k *kafkaTopology) with(extra map[string]string) map[string]string {
	env := map[string]string{}
	for key, v := range k.env {
		env[key] = v
	}
	for key, v := range extra {
		env[key] = v
	}
	return env
}

// sidecar starts config/kafka-sidecar.yaml (its queue in its own temporary directory).
func (k *kafkaTopology) sidecar(extra map[string]string, overlays ...string) *collectortest.Collector {
	k.t.Helper()
	return collectortest.Start(k.t, collectortest.Options{
		Config:       configPath(k.t, "kafka-sidecar.yaml"),
		ExtraConfigs: overlays, Env: k.with(extra),
	})
}

// gateway starts config/kafka-gateway.yaml on the shared store as instance.
func (k *kafkaTopology) gateway(instance string, extra map[string]string, overlays ...string) *collectortest.Collector {
	k.t.Helper()
	env := k.with(extra)
	env["AGENTAUDIT_INSTANCE_ID"] = instance
	return collectortest.Start(k.t, collectortest.Options{
		Config:       configPath(k.t, "kafka-gateway.yaml"),
		ExtraConfigs: overlays, Env: env, DataDir: k.dataDir,
	})
}

func (k *kafkaTopology) store() *objectstore.Store {
	return collectortest.OpenFileStore(k.t, k.dataDir)
}

// splitAgentRun captures agentsim sessions (spans and logs) and splits them into one request per
// span and per log record, in span-end order (children before their roots), identity on the root
// spans only: a long agent run reaches the sidecar as many small batches.
func splitAgentRun(t *testing.T, sessions int, seed int64) (reqs []request, plan map[string]agentsim.Session) {
	t.Helper()
	sink := startCaptureSink(t)
	cfg := agentsim.Config{Endpoint: sink.URL, Protocol: "http", Sessions: sessions, Users: 3, Seed: seed, Insecure: true, Logs: true}
	if _, err := agentsim.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	reqs, _ = sink.splitSpanBySpan()
	plan = map[string]agentsim.Session{}
	for _, s := range agentsim.Plan(cfg) {
		plan[s.ID] = s
	}
	return reqs, plan
}

func sendRequests(s sender, reqs []request) {
	for _, r := range reqs {
		if r.traces != nil {
			s.traces(*r.traces)
		} else {
			s.logs(*r.logs)
		}
	}
}

// referenceOverlay gives the direct reference collector the sidecar's redaction settings and the
// Kafka gateway's hold_window (0s: nothing waits, readers join identity), so that it maps what the
// Kafka topology maps.
const referenceOverlay = "processors:\n  piiredaction:\n    scan_json: true\n    summary: true\n" +
	"exporters:\n  agentaudit:\n    identity:\n      hold_window: 0s\n"

// directRecords is what readers return after reqs went straight to one collector (config/local.yaml
// with referenceOverlay), by record id: the reference the Kafka topology must hold.
func directRecords(t *testing.T, reqs []request) map[string]*auditrecord.Record {
	t.Helper()
	c := collectortest.Start(t, collectortest.Options{ExtraConfigs: []string{writeFile(t, t.TempDir(), "reference.yaml", referenceOverlay)}})
	sendRequests(sender{t, "http://" + c.HTTPEndpoint}, reqs)
	if !waitFor(90*time.Second, func() bool {
		m := c.Metrics()
		return metricSum(t, m, "otelcol_exporter_sent_spans", "")+metricSum(t, m, "otelcol_exporter_sent_log_records", "") >= float64(len(reqs))
	}) {
		t.Fatalf("direct collector did not export %d spans and logs\n%s", len(reqs), c.Logs())
	}
	c.Stop()
	recs, err := query.Records(context.Background(), c.Store(), store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*auditrecord.Record{}
	for _, r := range recs {
		out[r.RecordID] = r
	}
	return out
}

// eventKey names the event a record reports by its trace, type and what it says (not by span or
// signal). Copies of one event are folded by every reader (docs/audit-record.md, "One event, one
// record"), keeping the preferred copy: which copies a store holds depends on where the gateways
// consumed the two topics and on their batches, so the record kept may be another copy of the
// event than the direct run's; it must say the same.
func eventKey(r *auditrecord.Record) string {
	row := query.Row(r)
	return strings.Join([]string{r.TraceID, string(r.Type), row.Name, row.Status, row.Detail}, "\x00")
}

// waitKafkaDelivered waits until readers of the gateways' store return every event of want (by
// record id, or as another copy of the event), then checks that readers count each record once,
// that no event reads more often than in the direct run (copies across gateways and batches: zero)
// and that nothing reads that the direct run does not have.
func waitKafkaDelivered(t *testing.T, k *kafkaTopology, want map[string]*auditrecord.Record, timeout time.Duration, logs func() string) {
	t.Helper()
	var got []*auditrecord.Record
	var missing []string
	if !waitFor(timeout, func() bool {
		var err error
		if got, err = query.Records(context.Background(), k.store(), store.Query{}, nil); err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, r := range got {
			ids[r.RecordID], ids[eventKey(r)] = true, true
		}
		missing = missing[:0]
		for id, w := range want {
			if !ids[id] && !ids[eventKey(w)] {
				missing = append(missing, id)
			}
		}
		return len(missing) == 0
	}) {
		m := want[missing[0]]
		t.Fatalf("%d of %d records missing from the gateways' store after %v, e.g. %s of span %s\n%s", len(missing), len(want), timeout,
			m.Type, m.SpanID, logs())
	}
	if _, dups := bySpan(got); dups != 0 {
		t.Errorf("readers return %d records twice", dups)
	}
	direct, gateways := map[string]int{}, map[string]int{}
	for _, w := range want {
		direct[eventKey(w)]++
	}
	byID := 0
	for _, r := range got {
		gateways[eventKey(r)]++
		w, ok := want[r.RecordID]
		switch {
		case !ok && direct[eventKey(r)] == 0:
			t.Errorf("record %s (%s, span %s) is not in the direct run", r.RecordID, r.Type, r.SpanID)
		case ok && (w.Type != r.Type || w.TraceID != r.TraceID || w.SpanID != r.SpanID):
			t.Errorf("record %s reads as %s trace %s span %s; direct: %s %s %s", r.RecordID, r.Type, r.TraceID, r.SpanID, w.Type, w.TraceID, w.SpanID)
		case ok:
			byID++
		}
	}
	copies := 0
	for key, n := range gateways {
		if n > direct[key] {
			copies += n - direct[key]
		}
	}
	if copies != 0 {
		t.Errorf("readers of the gateways' store see %d second records of an event (a copy another gateway or batch wrote); want 0", copies)
	}
	t.Logf("readers of the gateways' store see the %d events of the direct run once each (%d as the direct run's record, the rest as another copy of the event), 0 copies", len(want), byID)
}

// checkIdentityAndVerify checks identity as every auditctl query sees it: each record of the store
// is returned by the session query of its session (readers join records written before their
// trace's root to the root's session and user) and by the user query of that session's user; and
// verify is clean over every gateway's chains.
func checkIdentityAndVerify(t *testing.T, k *kafkaTopology, plan map[string]agentsim.Session) {
	t.Helper()
	ctx := context.Background()
	all, err := query.Records(ctx, k.store(), store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inSession, ofUser := map[string]string{}, map[string]string{}
	for id, s := range plan {
		recs, err := query.Records(ctx, k.store(), store.Query{SessionID: id}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			inSession[r.RecordID] = id
		}
		recs, err = query.Records(ctx, k.store(), store.Query{UserID: s.UserID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			ofUser[r.RecordID] = s.UserID
		}
	}
	bad := 0
	for _, r := range all {
		sess, ok := inSession[r.RecordID]
		if !ok || ofUser[r.RecordID] != plan[sess].UserID {
			bad++
			if bad <= 5 {
				t.Errorf("%s %s (trace %s) is in no session query, or not in its user's (session %q user %q)", r.Type, r.Source.Name, r.TraceID, sess, ofUser[r.RecordID])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d records read without their identity", bad, len(all))
	}
	rep, err := verify.Verify(ctx, k.store().Backend(), objectstore.DefaultPrefix, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("verify failed: %+v", rep.Findings)
	}
	t.Logf("%d records as readers count them, each in its session's and user's queries; %d stored (%d copies a redelivery wrote again), verify OK",
		len(all), rep.Counts.Records, rep.Counts.DuplicateRecords)
}

func allLogs(cs ...*collectortest.Collector) func() string {
	return func() string {
		var b strings.Builder
		for i, c := range cs {
			fmt.Fprintf(&b, "--- collector %d\n%s\n", i, c.Logs())
		}
		return b.String()
	}
}

// kafkaRun is a test's agent run through the Kafka topology: the split requests, the sessions planned,
// the direct collector's records for them, and a started sidecar that already sent the first request
// (which creates the topic, 6 partitions, so the gateways' group starts on an existing topic).
type kafkaRun struct {
	*kafkaTopology
	reqs []request
	plan map[string]agentsim.Session
	want map[string]*auditrecord.Record
	sc   *collectortest.Collector
	send sender
}

func startKafkaRun(t *testing.T, sessions int, seed int64, env map[string]string, overlays ...string) *kafkaRun {
	t.Helper()
	r := &kafkaRun{}
	r.reqs, r.plan = splitAgentRun(t, sessions, seed)
	r.want = directRecords(t, r.reqs)
	r.kafkaTopology = newKafkaTopology(t)
	r.sc = r.sidecar(env, overlays...)
	r.send = sender{t, "http://" + r.sc.HTTPEndpoint}
	sendRequests(r.send, r.reqs[:1])
	return r
}

// TestKafkaSidecarToTwoGatewaysStoresEveryRecordOnce: agentsim sessions split into one request per
// span and log, children before roots, go through a Kafka sidecar to two gateways of one consumer
// group sharing the partitions: every auditctl view equals the one a single collector gives for the
// same requests (every record stored, identity on every record, each counted once), and verify is
// clean.
func TestKafkaSidecarToTwoGatewaysStoresEveryRecordOnce(t *testing.T) {
	run := startKafkaRun(t, 8, 2525, nil)
	k, reqs, plan, want, sc, s := run.kafkaTopology, run.reqs, run.plan, run.want, run.sc, run.send
	g1, g2 := k.gateway("gateway-1", nil), k.gateway("gateway-2", nil)
	sendRequests(s, reqs[1:])
	waitKafkaDelivered(t, k, want, 120*time.Second, allLogs(sc, g1, g2))
	// Which gateway took what depends on when the second joined the group; the rebalance test
	// checks that a joining gateway takes partitions over.
	t.Logf("spans consumed: gateway-1 %v, gateway-2 %v", metricSum(t, g1.Metrics(), "otelcol_receiver_accepted_spans", ""),
		metricSum(t, g2.Metrics(), "otelcol_receiver_accepted_spans", ""))
	checkIdentityAndVerify(t, k, plan)
	t.Logf("%d requests (%d sessions) through sidecar → Kafka → 2 gateways read as a single collector", len(reqs), len(plan))
}

// TestKafkaGatewayKill9AndRebalanceLoseNothing: mid-stream, one of two gateways is killed with
// SIGKILL (its uncommitted messages are redelivered to the other) and a third joins (a rebalance
// moves partitions to it): everything the sidecar acknowledged is stored, readers count each record
// once, and verify is clean over the three gateways' chains.
func TestKafkaGatewayKill9AndRebalanceLoseNothing(t *testing.T) {
	run := startKafkaRun(t, 8, 4242, nil)
	k, reqs, plan, want, sc, s := run.kafkaTopology, run.reqs, run.plan, run.want, run.sc, run.send
	g1, g2 := k.gateway("gateway-1", nil), k.gateway("gateway-2", nil)
	third := len(reqs) / 3
	sendRequests(s, reqs[1:third])
	// Kill once gateway-1 is writing, so that it dies with messages read and not yet committed.
	if !waitFor(60*time.Second, func() bool {
		return metricSum(t, g1.Metrics(), "otelcol_exporter_sent_spans", "") > 0
	}) {
		t.Fatalf("gateway-1 wrote nothing\n%s", allLogs(g1, g2)())
	}
	g1.Kill()
	sendRequests(s, reqs[third:2*third])
	g3 := k.gateway("gateway-3", nil)
	sendRequests(s, reqs[2*third:])
	waitKafkaDelivered(t, k, want, 180*time.Second, allLogs(sc, g2, g3))
	if n := metricSum(t, g3.Metrics(), "otelcol_receiver_accepted_spans", "") + metricSum(t, g3.Metrics(), "otelcol_receiver_accepted_log_records", ""); n == 0 {
		t.Errorf("gateway-3 consumed nothing: no partition moved to it")
	}
	checkIdentityAndVerify(t, k, plan)
}

// TestKafkaBrokerDown30sSidecarKeepsAcknowledging: with the broker stopped for 30 s, the sidecar
// keeps acknowledging into its persistent queue, and after the broker is back everything reaches
// the gateway's store.
func TestKafkaBrokerDown30sSidecarKeepsAcknowledging(t *testing.T) {
	run := startKafkaRun(t, 4, 3131, nil)
	k, reqs, plan, want, sc, s := run.kafkaTopology, run.reqs, run.plan, run.want, run.sc, run.send
	g := k.gateway("gateway-1", nil)
	half := len(reqs) / 2
	sendRequests(s, reqs[1:half])
	k.broker.Stop()
	down := time.Now()
	// Every request is acknowledged (sender fails the test on anything but 200) while Kafka is down.
	sendRequests(s, reqs[half:])
	acked := time.Since(down)
	time.Sleep(30*time.Second - acked)
	queued := metricSum(t, sc.Metrics(), "otelcol_exporter_queue_size", `exporter="kafka"`)
	if err := k.broker.Resume(); err != nil {
		t.Fatal(err)
	}
	t.Logf("broker down 30 s: %d requests acknowledged in %v meanwhile, %v in the sidecar's queue at restart", len(reqs)-half, acked.Round(time.Millisecond), queued)
	if queued == 0 {
		t.Errorf("the sidecar's queue was empty with the broker down: what did it acknowledge?")
	}
	waitKafkaDelivered(t, k, want, 180*time.Second, allLogs(sc, g))
	checkIdentityAndVerify(t, k, plan)
}
