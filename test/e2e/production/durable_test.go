package production

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// The embedded default (config/local.yaml) as shipped: a crash at any moment loses nothing the
// agent was acknowledged, and a restart on the same data directory stores it exactly once as
// readers see it, with a clean verify.

// startLocal runs config/local.yaml on dataDir (a new temporary directory when empty).
func startLocal(t *testing.T, dataDir string) (*collectortest.Collector, func(ptrace.Traces) error) {
	t.Helper()
	c := collectortest.Start(t, collectortest.Options{DataDir: dataDir})
	conn := dialGRPC(t, c.GRPCEndpoint, nil)
	return c, func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, "", td) }
}

// storedPerSpan waits until span (batch 0, span 0) is stored by records() and returns how many
// distinct records one chatTraces span becomes.
func storedPerSpan(t *testing.T, send func(ptrace.Traces) error, records func() []*auditrecord.Record, logs func() string) int {
	t.Helper()
	if err := send(chatTraces(0, 1)); err != nil {
		t.Fatal(err)
	}
	var n int
	if !waitFor(60*time.Second, func() bool {
		spans, _ := bySpan(records())
		n = len(spans[spanIDHex(0, 0)])
		return n > 0
	}) {
		t.Fatalf("baseline span not stored\n%s", logs())
	}
	return n
}

// sendBatches sends chatTraces batches first..last one request each and returns the acknowledged
// span ids.
func sendBatches(t *testing.T, send func(ptrace.Traces) error, first, last int) []string {
	t.Helper()
	var acked []string
	for b := first; b <= last; b++ {
		if err := send(chatTraces(b, spansPerRequest)); err != nil {
			t.Fatalf("request %d refused: %v", b, err)
		}
		for i := range spansPerRequest {
			acked = append(acked, spanIDHex(b, i))
		}
	}
	return acked
}

// readerView is what a store holds as stored copies and as auditctl counts it.
type readerView struct {
	stored   int                        // records stored, copies included
	distinct int                        // records the read-side query (every auditctl command) returns
	perSpan  map[string]map[string]bool // distinct record ids by span id, as readers see them
}

func viewOf(t *testing.T, r store.Reader) readerView {
	t.Helper()
	ctx := context.Background()
	var v readerView
	recs, err := query.Records(ctx, r, store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Read second, so that a write landing in between makes stored larger, never smaller.
	if err := r.Scan(ctx, store.Query{}, func(*auditrecord.Record) error { v.stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	v.distinct = len(recs)
	var dups int
	v.perSpan, dups = bySpan(recs)
	if dups != 0 {
		t.Fatalf("readers see %d records twice", dups)
	}
	return v
}

// checkStoredOnce waits until every acknowledged span has perSpan records in r, then checks that
// readers count each once and that verify is clean and reports the stored copies.
func checkStoredOnce(t *testing.T, what string, r store.Reader, backend objectstore.Backend, acked []string, perSpan int, logs func() string) {
	t.Helper()
	var v readerView
	var missing []string
	if !waitFor(120*time.Second, func() bool {
		v = viewOf(t, r)
		missing = missingSpans(v.perSpan, acked, perSpan)
		return len(missing) == 0
	}) {
		t.Fatalf("%s: %d of %d acknowledged spans lack records, e.g. %v\ncollector log:\n%s", what, len(missing), len(acked),
			missing[:min(5, len(missing))], logs())
	}
	// Writes may still be landing (a replayed queue, records of other spans): read until two reads agree.
	for range 20 {
		time.Sleep(500 * time.Millisecond)
		again := viewOf(t, r)
		if again.stored == v.stored && again.distinct == v.distinct {
			break
		}
		v = again
	}
	for _, id := range acked {
		if n := len(v.perSpan[id]); n != perSpan {
			t.Fatalf("%s: span %s has %d records, want %d", what, id, n, perSpan)
		}
	}
	// Exactly once in the store, too: what a restarted collector's queue replays is recognised by the
	// dedup window, which is seeded from the store's last objects.
	if v.stored != v.distinct {
		t.Errorf("%s: %d records stored for %d distinct: a replayed batch was stored again", what, v.stored, v.distinct)
	}
	rep, err := verify.Verify(context.Background(), backend, objectstore.DefaultPrefix, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("%s: verify failed: %+v", what, rep.Findings)
	}
	if rep.Counts.Records != v.stored || rep.Counts.DuplicateRecords != v.stored-v.distinct {
		t.Errorf("%s: verify counted %d records, %d copies; the store holds %d, %d distinct", what, rep.Counts.Records,
			rep.Counts.DuplicateRecords, v.stored, v.distinct)
	}
	t.Logf("%s: all %d acknowledged spans stored with %d records each; %d records stored, %d distinct as readers count them (%d copies); verify OK",
		what, len(acked), perSpan, v.stored, v.distinct, v.stored-v.distinct)
}

func fileBackend(t *testing.T, dir string) *filestore.Backend {
	t.Helper()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// restartAndCheckLocal restarts a killed config/local.yaml collector on its data directory and
// checks the acknowledged spans.
func restartAndCheckLocal(t *testing.T, c *collectortest.Collector, acked []string, perSpan int) {
	t.Helper()
	queued, err := os.ReadDir(filepath.Join(c.DataDir, "queue"))
	if err != nil || len(queued) == 0 {
		t.Errorf("the persistent queue is not under the data directory: %v", err)
	}
	// Readers list only below the audit prefix, so the queue's files are never taken for audit data.
	keys, err := c.Store().DataObjects(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, objectstore.DefaultPrefix+"/") {
			t.Errorf("a reader takes %s for an audit object", k)
		}
	}
	c.Restart()
	checkStoredOnce(t, "after restart", c.Store(), fileBackend(t, c.DataDir), acked, perSpan, c.Logs)
}

// breakFileStore makes the file store under dataDir unavailable with a fault injector — its audit
// directory replaced by a plain file, so every object write fails (as root, permissions would not
// stop the writes) — and returns what puts it back.
func breakFileStore(t *testing.T, dataDir string) (restore func()) {
	t.Helper()
	audit := filepath.Join(dataDir, objectstore.DefaultPrefix)
	if err := os.Rename(audit, audit+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(audit, []byte("fault injector: not a directory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if err := os.Remove(audit); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(audit+".away", audit); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEmbeddedDefaultKill9LosesNothingAcknowledged(t *testing.T) {
	t.Run("right after acknowledgement", func(t *testing.T) {
		c, send := startLocal(t, "")
		perSpan := storedPerSpan(t, send, c.Records, c.Logs)
		acked := sendBatches(t, send, 1, 4)
		c.Kill() // within milliseconds of the last OK, well inside the queue's 1 s flush interval
		restartAndCheckLocal(t, c, acked, perSpan)
	})

	t.Run("mid-write", func(t *testing.T) {
		c, send := startLocal(t, "")
		perSpan := storedPerSpan(t, send, c.Records, c.Logs)
		baseline := metricSum(t, c.Metrics(), "otelcol_exporter_agentaudit_records_written", "")
		var traffic ackedTraffic
		traffic.start(4, 0, send)
		// Kill while objects are being written: records are being written and the queue holds more.
		if !waitFor(60*time.Second, func() bool {
			page := c.Metrics()
			return traffic.ackedCount() >= 20 && metricSum(t, page, "otelcol_exporter_agentaudit_records_written", "") > baseline &&
				metricSum(t, page, "otelcol_exporter_queue_size", `exporter="agentaudit"`) > 0
		}) {
			traffic.halt()
			t.Fatalf("no write in progress to kill into: %d requests acknowledged\n%s", traffic.ackedCount(), c.Logs())
		}
		c.Kill()
		traffic.halt()
		t.Logf("killed with %d requests acknowledged, %d refused", traffic.ackedCount(), traffic.failures.Load())
		restartAndCheckLocal(t, c, traffic.ackedSpans(), perSpan)
	})

	t.Run("while the store is unavailable (fault injector: audit directory replaced by a file)", func(t *testing.T) {
		c, send := startLocal(t, "")
		perSpan := storedPerSpan(t, send, c.Records, c.Logs)
		restore := breakFileStore(t, c.DataDir)
		acked := sendBatches(t, send, 1, 4)
		if !waitFor(30*time.Second, func() bool { return contains(c.Logs(), exportFailedLog) }) {
			t.Fatalf("the store outage did not show in the log\n%s", c.Logs())
		}
		c.Kill()
		restore()
		restartAndCheckLocal(t, c, acked, perSpan)
	})
}

// TestSidecarKill9WithGatewayDownLosesNothing: the gateway is down, the sidecar acknowledges what
// its persistent queue took, is killed with SIGKILL and restarted, then the gateway comes back:
// every acknowledged span reaches S3, counted once by readers, and verify is clean.
func TestSidecarKill9WithGatewayDownLosesNothing(t *testing.T) {
	s3t := startS3(t)
	gw := startGateway(t, s3t, gatewayOptions{})
	sidecar := startSidecar(t, gw, nil)
	conn := dialGRPC(t, sidecar.GRPCEndpoint, nil)
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, "", td) }
	reader := objectstore.New(s3t.backend, objectstore.Options{}, store.Settings{})
	perSpan := storedPerSpan(t, send, func() []*auditrecord.Record { return s3t.records(t) }, sidecar.Logs)

	gw.Stop()
	acked := sendBatches(t, send, 1, 6)
	if !waitFor(30*time.Second, func() bool { return contains(sidecar.Logs(), exportFailedLog) }) {
		t.Errorf("the sidecar did not notice the gateway outage")
	}
	sidecar.Kill()
	sidecar.Restart()
	gw.Restart()
	checkStoredOnce(t, "sidecar killed while its gateway was down", reader, s3t.backend, acked, perSpan,
		func() string { return "sidecar:\n" + sidecar.Logs() + "\ngateway:\n" + gw.Logs() })
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestUpgradeFromFileStorageQueueLosesNothing: a collector of the previous release (the embedded
// default with its queue on contrib file_storage) acknowledges spans while its store is unavailable
// and is killed; the shipped config (queue on spool_storage, same directory) starts on the same data
// directory, imports what the bbolt file held and stores every acknowledged span once.
func TestUpgradeFromFileStorageQueueLosesNothing(t *testing.T) {
	previous := writeFile(t, t.TempDir(), "file-storage-queue.yaml", `extensions:
  file_storage/queue:
    directory: ${env:AGENTAUDIT_DATA_DIR}/queue
    create_directory: true
exporters:
  agentaudit:
    sending_queue:
      storage: file_storage/queue
service:
  extensions: [health_check, file_storage/queue]
`)
	old := collectortest.Start(t, collectortest.Options{ExtraConfigs: []string{previous}})
	conn := dialGRPC(t, old.GRPCEndpoint, nil)
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, "", td) }
	perSpan := storedPerSpan(t, send, old.Records, old.Logs)
	restore := breakFileStore(t, old.DataDir) // the queue keeps what is sent
	acked := sendBatches(t, send, 1, 4)
	if !waitFor(30*time.Second, func() bool { return contains(old.Logs(), exportFailedLog) }) {
		t.Fatalf("the store outage did not show in the log\n%s", old.Logs())
	}
	old.Kill()
	restore()

	upgraded := collectortest.Start(t, collectortest.Options{DataDir: old.DataDir})
	checkStoredOnce(t, "after the upgrade", upgraded.Store(), fileBackend(t, upgraded.DataDir), acked, perSpan, upgraded.Logs)
	if !contains(upgraded.Logs(), "imported the queue a file_storage file held") {
		t.Errorf("the upgrade did not say it imported the old queue\n%s", upgraded.Logs())
	}
	migrated, err := filepath.Glob(filepath.Join(old.DataDir, "queue", "*.migrated"))
	if err != nil || len(migrated) == 0 {
		t.Errorf("the imported bbolt file was not kept as *.migrated: %v %v", migrated, err)
	}
}
