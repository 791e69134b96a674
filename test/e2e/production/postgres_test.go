package production

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
)

// pgOutageLength is how long PostgreSQL stays down mid-stream: 30 s, like the S3 and search-engine
// outage tests, long enough for many failed exports, retries with back-off and a filling queue.
const pgOutageLength = 30 * time.Second

// startPostgresCollector runs the built collector with config/postgres.yaml (plus extra configs)
// against database db of srv, with its persistent queue in a directory that survives Restart.
func startPostgresCollector(t *testing.T, srv *postgres.Server, db string, extra ...string) *collectortest.Collector {
	t.Helper()
	return collectortest.Start(t, collectortest.Options{
		Config:       configPath(t, "postgres.yaml"),
		ExtraConfigs: extra,
		Env: map[string]string{
			"AGENTAUDIT_POSTGRES_DSN":       srv.DSN(db, ""),
			"AGENTAUDIT_QUEUE_DIR":          t.TempDir(),
			"AGENTAUDIT_PG_DEAD_LETTER_DIR": t.TempDir(),
			"AGENTAUDIT_IDENTITY_DIR":       filepath.Join(t.TempDir(), "hold"),
			"AGENTAUDIT_INSTANCE_ID":        "pg-e2e",
		},
	})
}

// pgRecords reads every stored record; nil while the database is unreachable.
func pgRecords(t *testing.T, dsn string) []*auditrecord.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil
	}
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, `SELECT record::text FROM agentaudit.records`)
	if err != nil {
		return nil
	}
	var out []*auditrecord.Record
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var r auditrecord.Record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("stored record does not decode: %v", err)
		}
		out = append(out, &r)
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// pgVerify runs the store's verifier and fails the test on any failure finding.
func pgVerify(t *testing.T, dsn string) {
	t.Helper()
	cfg := pgstore.NewDefaultConfig()
	cfg.DSN = configopaque.String(dsn)
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := pgstore.New(cfg, store.Settings{InstanceID: "verifier"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Shutdown(ctx) }()
	rep, err := s.Verify(ctx, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Errorf("verify found failures: %+v", rep.Findings)
	}
}

// pgPerSpan sends batch 0 (one span) and learns how many records a span becomes.
func pgPerSpan(t *testing.T, c *collectortest.Collector, dsn string, send func(ptrace.Traces) error) int {
	t.Helper()
	if err := send(chatTraces(0, 1)); err != nil {
		t.Fatal(err)
	}
	var n int
	if !waitFor(60*time.Second, func() bool {
		spans, _ := bySpan(pgRecords(t, dsn))
		n = len(spans[spanIDHex(0, 0)])
		return n > 0
	}) {
		t.Fatalf("baseline span not stored\n%s", c.Logs())
	}
	return n
}

// waitAllStored waits until every acknowledged span has all its records in the database, and
// reports records stored twice.
func waitAllStored(t *testing.T, c *collectortest.Collector, dsn string, acked []string, perSpan int) {
	t.Helper()
	var missing []string
	var duplicates, stored int
	if !waitFor(180*time.Second, func() bool {
		recs := pgRecords(t, dsn)
		spans, dups := bySpan(recs)
		missing, duplicates, stored = missingSpans(spans, acked, perSpan), dups, len(recs)
		return len(missing) == 0
	}) {
		t.Fatalf("%d of %d acknowledged spans lost, e.g. %v\ncollector log:\n%s", len(missing), len(acked), missing[:min(5, len(missing))], c.Logs())
	}
	if duplicates != 0 {
		t.Errorf("%d records stored twice", duplicates)
	}
	t.Logf("%d acknowledged spans → %d records stored, 0 lost, %d duplicates", len(acked), stored, duplicates)
}

// TestPostgresOutageLosesNothing stops PostgreSQL mid-stream and starts it again: clients keep being
// acknowledged (the persistent queue takes the data), and afterwards every acknowledged span is in
// the database exactly once and the chains verify.
func TestPostgresOutageLosesNothing(t *testing.T) {
	srv := postgres.Start(t)
	dsn := srv.CreateDatabase(t, "outage")
	c := startPostgresCollector(t, srv, "outage")
	conn := dialGRPC(t, c.GRPCEndpoint, nil)
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, "", td) }
	perSpan := pgPerSpan(t, c, dsn, send)

	var traffic ackedTraffic
	traffic.start(2, 100*time.Millisecond, send)
	defer traffic.halt()
	if !waitFor(60*time.Second, func() bool { return traffic.ackedCount() >= 10 }) {
		t.Fatalf("traffic does not flow: %d acknowledged\n%s", traffic.ackedCount(), c.Logs())
	}
	srv.Stop(t)
	down := time.Now()
	ackedBefore := traffic.ackedCount()
	if !waitFor(pgOutageLength, func() bool { return strings.Contains(c.Logs(), exportFailedLog) }) {
		t.Errorf("the collector did not notice the outage")
	}
	time.Sleep(time.Until(down.Add(pgOutageLength)))
	ackedDuring := traffic.ackedCount() - ackedBefore
	srv.Restart(t)
	if ackedDuring == 0 {
		t.Errorf("no request was acknowledged during the outage: the queue should have taken them")
	}
	after := traffic.ackedCount()
	if !waitFor(60*time.Second, func() bool { return traffic.ackedCount() >= after+10 }) {
		t.Errorf("traffic did not resume after the database came back")
	}
	traffic.halt()
	t.Logf("outage of %s: %d requests acknowledged during it", pgOutageLength, ackedDuring)
	waitAllStored(t, c, dsn, traffic.ackedSpans(), perSpan)
	pgVerify(t, dsn)
	if metricSum(t, c.Metrics(), "otelcol_exporter_agentaudit_store_records_inserted", `store="postgres"`) == 0 {
		t.Errorf("the store's counters are not exposed as otelcol_exporter_agentaudit_store_records_*{store=\"postgres\"}")
	}
}

// TestPostgresKill9LosesNoAcknowledgedRecord kills the collector with SIGKILL while clients stream
// and its persistent queue holds unexported data, restarts it on the same queue, and checks that
// every acknowledged request reached PostgreSQL, once.
func TestPostgresKill9LosesNoAcknowledgedRecord(t *testing.T) {
	srv := postgres.Start(t)
	dsn := srv.CreateDatabase(t, "kill")
	c := startPostgresCollector(t, srv, "kill")
	conn := dialGRPC(t, c.GRPCEndpoint, nil)
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, "", td) }
	perSpan := pgPerSpan(t, c, dsn, send)

	var traffic ackedTraffic
	traffic.start(4, 0, send)
	if !waitFor(60*time.Second, func() bool {
		return traffic.ackedCount() >= 40 && metricSum(t, c.Metrics(), "otelcol_exporter_queue_size", `exporter="agentaudit"`) > 0
	}) {
		traffic.halt()
		t.Fatalf("no backlog to kill into: %d requests acknowledged", traffic.ackedCount())
	}
	c.Kill()
	traffic.halt()
	t.Logf("killed with %d requests acknowledged, %d failed", traffic.ackedCount(), traffic.failures.Load())
	c.Restart()
	waitAllStored(t, c, dsn, traffic.ackedSpans(), perSpan)
	pgVerify(t, dsn)
}

// TestAuditctlAnswersTheSameOnPostgresAsOnFiles runs one collector writing the same agentsim traffic
// to PostgreSQL and to the file store, then asks auditctl the same questions of both.
func TestAuditctlAnswersTheSameOnPostgresAsOnFiles(t *testing.T) {
	auditctlBinary(t) // skips (or fails under AGENTAUDIT_REQUIRE_PEERS) before any server starts
	srv := postgres.Start(t)
	dsn := srv.CreateDatabase(t, "parity")
	dataDir := t.TempDir()
	both := writeFile(t, t.TempDir(), "both.yaml", `exporters:
  agentaudit/file:
    store: file
    instance_id: pg-e2e
    file:
      directory: `+dataDir+`
service:
  pipelines:
    traces:
      exporters: [agentaudit, agentaudit/file]
    logs:
      exporters: [agentaudit, agentaudit/file]
`)
	c := startPostgresCollector(t, srv, "parity", both)
	cfg := agentsim.Config{Endpoint: c.GRPCEndpoint, Protocol: "grpc", Sessions: 6, Users: 3, Seed: 77, Insecure: true, Logs: true}
	if _, err := agentsim.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	fileStore := collectortest.OpenFileStore(t, dataDir)
	var n int
	if !waitFor(90*time.Second, func() bool {
		pg, files := pgRecords(t, dsn), collectortest.ReadRecords(t, fileStore)
		stable := len(pg) > 0 && len(pg) == len(files) && len(pg) == n
		n = len(pg)
		return stable
	}) {
		t.Fatalf("the stores disagree or keep changing: %d records in PostgreSQL\n%s", n, c.Logs())
	}
	sessions := agentsim.Plan(cfg)
	session, user := sessions[0].ID, sessions[0].UserID

	stores := map[string]string{"postgres": dsn, "file": "file://" + dataDir}
	run := func(storeURL string, wantCode int, args ...string) string {
		t.Helper()
		if args[0] != "verify" {
			args = append(args, "--as", "e2e@test", "--quiet")
		}
		out, code := auditctl(t, nil, append(args, "--store", storeURL)...)
		if code != wantCode {
			t.Fatalf("auditctl %s on %s: exit %d, want %d\n%s", strings.Join(args, " "), storeURL, code, wantCode, out)
		}
		out = strings.ReplaceAll(out, storeURL, "<store>")
		return withoutWriteDetails(generatedAt.ReplaceAllString(out, "Generated <time>"))
	}
	same := func(wantCode int, args ...string) {
		t.Helper()
		pg, files := run(stores["postgres"], wantCode, args...), run(stores["file"], wantCode, args...)
		if pg != files {
			t.Errorf("auditctl %s differs:\npostgres:\n%s\nfile:\n%s", strings.Join(args, " "), pg, files)
		}
		if wantCode == 0 && strings.TrimSpace(pg) == "" {
			t.Errorf("auditctl %s printed nothing", strings.Join(args, " "))
		}
	}
	same(0, "sessions")
	same(0, "sessions", "--json")
	same(0, "sessions", "--user", user, "--json")
	same(0, "timeline", session)
	same(0, "timeline", session, "--json")
	same(0, "user", user, "--json")
	same(0, "stats", "tools", "--json")
	same(0, "stats", "errors", "--by", "day", "--json")
	same(0, "stats", "volume", "--by", "hour", "--json")
	same(0, "report", session, "-o", "-")
	same(1, "timeline", "no-such-session")
	same(0, "retention", "--older-than", "90d", "--dry-run", "--json")

	// The access log lists the same reads (times aside) on both.
	accessLog := func(storeURL string) []map[string]any {
		var entries []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(run(storeURL, 0, "access-log", "--json")), "\n") {
			var e map[string]any
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("access-log line %q: %v", line, err)
			}
			delete(e, "time")
			entries = append(entries, e)
		}
		return entries
	}
	pgLog, fileLog := accessLog(stores["postgres"]), accessLog(stores["file"])
	if len(pgLog) < 11 || !jsonEqual(pgLog, fileLog) {
		t.Errorf("access logs differ:\npostgres: %v\nfile: %v", pgLog, fileLog)
	}

	// Erasure: the same records go, both stores still verify.
	erasedCount := func(storeURL string) float64 {
		var res map[string]any
		if err := json.Unmarshal([]byte(run(storeURL, 0, "forget", "--user", user, "--json")), &res); err != nil {
			t.Fatal(err)
		}
		return res["records"].(float64)
	}
	if pg, files := erasedCount(stores["postgres"]), erasedCount(stores["file"]); pg != files || pg == 0 {
		t.Errorf("forget erased %v records on postgres, %v on files", pg, files)
	}
	same(1, "user", user)
	same(0, "sessions", "--json")
	for name, url := range stores {
		if out := run(url, 0, "verify"); !strings.Contains(out, "result:  OK") || !strings.Contains(out, "erased") {
			t.Errorf("verify on %s after forget:\n%s", name, out)
		}
	}
}

// withoutWriteDetails drops, from JSON Lines output, what legitimately differs between two stores
// written by two exporters: each record's chain position in its store (integrity) and the moment its
// exporter mapped it (observed_timestamp), and the cutoff retention computed from its own clock.
// generatedAt is the report footer's time: the two runs of one command may fall in different seconds.
var generatedAt = regexp.MustCompile(`Generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func withoutWriteDetails(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		var doc map[string]any
		if !strings.HasPrefix(l, "{") || json.Unmarshal([]byte(l), &doc) != nil {
			continue
		}
		delete(doc, "integrity")
		delete(doc, "observed_timestamp")
		delete(doc, "cutoff")
		b, _ := json.Marshal(doc)
		lines[i] = string(b)
	}
	return strings.Join(lines, "\n")
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestPostgresCollectorRefusesToStartWithoutSchemaRights: a user that may neither find a current
// schema nor create one stops the collector at start, with what to do, instead of failing every write.
func TestPostgresCollectorRefusesToStartWithoutSchemaRights(t *testing.T) {
	srv := postgres.Start(t)
	srv.CreateDatabase(t, "norights")
	srv.Psql(t, "norights", `CREATE ROLE nobody_special LOGIN`)
	out, err := runUntilExit(t, collectortest.Options{
		Config: configPath(t, "postgres.yaml"),
		Env: map[string]string{
			"AGENTAUDIT_POSTGRES_DSN":       srv.DSN("norights", "nobody_special"),
			"AGENTAUDIT_QUEUE_DIR":          t.TempDir(),
			"AGENTAUDIT_PG_DEAD_LETTER_DIR": t.TempDir(),
			"AGENTAUDIT_IDENTITY_DIR":       filepath.Join(t.TempDir(), "hold"),
		},
	})
	if err == nil {
		t.Fatalf("the collector started without a usable schema:\n%s", out)
	}
	for _, want := range []string{"postgres schema", "schema is missing", `"nobody_special" may not create it`, "docs/postgres.md"} {
		if !strings.Contains(out, want) {
			t.Errorf("start error does not say %q:\n%s", want, out)
		}
	}
}
