package spoolstorageextension

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// hostWithStorage is a collector host whose only extension is the storage under test.
type hostWithStorage struct {
	component.Host
	extensions map[component.ID]component.Component
}

func (h hostWithStorage) GetExtensions() map[component.ID]component.Component { return h.extensions }

// deliveries counts what the exporter's push function accepted, by request name.
type deliveries struct {
	mu       sync.Mutex
	count    map[string]int
	accept   int // accept this many, then fail every push (a store that went down)
	failures int
}

func (d *deliveries) push(_ context.Context, td ptrace.Traces) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.total() >= d.accept {
		d.failures++
		return errors.New("store unavailable")
	}
	name := "(a request without spans: its stored value was lost)"
	if td.SpanCount() > 0 {
		name = td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name()
	}
	d.count[name]++
	return nil
}

func (d *deliveries) total() int {
	n := 0
	for _, c := range d.count {
		n += c
	}
	return n
}

func (d *deliveries) snapshot() (total, failures int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.total(), d.failures
}

func namedRequest(name string, payloadBytes int) ptrace.Traces {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName(name)
	span.Attributes().PutStr("gen_ai.prompt", strings.Repeat(name+" ", payloadBytes/(len(name)+1)))
	return td
}

// startQueuedExporter starts spool_storage on dir and, on it, an exporter whose persistent sending
// queue (exporterhelper's own, one consumer, retrying forever) pushes into d.
func startQueuedExporter(t *testing.T, dir string, d *deliveries) (exporter.Traces, component.Component) {
	t.Helper()
	exp, ext, err := newQueuedExporter(dir, d)
	require.NoError(t, err)
	return exp, ext
}

func newQueuedExporter(dir string, d *deliveries) (exporter.Traces, component.Component, error) {
	cfg := &Config{Directory: dir, Compaction: CompactionConfig{MinFileMiB: 1}}
	ext := newSpoolStorage(componenttest.NewNopTelemetrySettings().Logger, cfg)
	exp, err := newQueuedExporterOn(component.MustNewID("spool_storage"), ext, d)
	return exp, ext, err
}

// newQueuedExporterOn starts the storage extension ext (whatever its type) as storageID and, on it,
// an exporter whose persistent sending queue (exporterhelper's own, one consumer, retrying
// forever) pushes into d.
func newQueuedExporterOn(storageID component.ID, ext component.Component, d *deliveries) (exporter.Traces, error) {
	ctx := context.Background()
	host := hostWithStorage{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{storageID: ext}}
	if err := ext.Start(ctx, host); err != nil {
		return nil, err
	}
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.NumConsumers = 1
	queue.Batch = configoptional.None[exporterhelper.BatchConfig]()
	queue.StorageID = &storageID
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval, retry.MaxInterval, retry.MaxElapsedTime = time.Millisecond, 5*time.Millisecond, 0
	set := exportertest.NewNopSettings(component.MustNewType("agentaudit"))
	set.ID = component.MustNewID("agentaudit") // the same queue across restarts
	exp, err := exporterhelper.NewTraces(ctx, set, &struct{}{}, d.push,
		exporterhelper.WithQueue(configoptional.Some(queue)), exporterhelper.WithRetry(retry))
	if err != nil {
		return nil, err
	}
	return exp, exp.Start(ctx, host)
}

func TestExporterhelperPersistentQueueOnSpoolDeliversEveryRequestExactlyOnceAcrossARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const requests, deliveredBeforeStop, payload = 40, 15, 64 << 10

	// First run: the store takes 15 requests, then goes down; the rest wait in the queue.
	first := &deliveries{count: map[string]int{}, accept: deliveredBeforeStop}
	exp, ext := startQueuedExporter(t, dir, first)
	for i := range requests {
		require.NoError(t, exp.ConsumeTraces(ctx, namedRequest(fmt.Sprintf("req-%02d", i), payload)))
	}
	require.Eventually(t, func() bool {
		total, failures := first.snapshot()
		return total == deliveredBeforeStop && failures > 0
	}, 30*time.Second, time.Millisecond, "the first run delivers 15 and then fails")
	require.NoError(t, exp.Shutdown(ctx)) // mid-retry: the failing request stays in the queue
	require.NoError(t, ext.Shutdown(ctx))

	// Second run on the same directory, with the store back.
	second := &deliveries{count: map[string]int{}, accept: requests}
	exp, ext = startQueuedExporter(t, dir, second)
	require.Eventually(t, func() bool {
		total, _ := second.snapshot()
		return total >= requests-deliveredBeforeStop
	}, 30*time.Second, time.Millisecond, "the second run delivers what the first left queued")
	require.NoError(t, exp.Shutdown(ctx))

	for i := range requests {
		name := fmt.Sprintf("req-%02d", i)
		assert.Equal(t, 1, first.count[name]+second.count[name], "%s delivered exactly once", name)
	}
	assert.Len(t, first.count, deliveredBeforeStop)
	assert.Len(t, second.count, requests-deliveredBeforeStop, "nothing else was delivered")

	// Nothing is left to deliver a second time: the log holds only the queue's metadata, and
	// compaction kept it small though 40 requests of 64 KiB went through it.
	client, err := ext.(*spoolStorage).GetClient(ctx, component.KindExporter, component.MustNewID("agentaudit"), "traces")
	require.NoError(t, err)
	keys := contents(t, client.(*logClient))
	assert.Len(t, keys, 1, "only the queue's metadata key remains")
	path := client.(*logClient).path
	require.NoError(t, ext.Shutdown(ctx))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Less(t, info.Size(), int64(1<<20+2*payload), "the drained log was compacted")
}

// queueChildDirEnv, when set, makes the test binary a child process that puts requests into a
// queue on that directory (with the store down, so nothing is delivered) and prints each request's
// name once the queue acknowledged it, until it is killed.
const queueChildDirEnv = "SPOOL_STORAGE_QUEUE_CHILD_DIR"

const killPayloadBytes = 64 << 10

func runQueueChild(dir string) {
	exp, _, err := newQueuedExporter(dir, &deliveries{count: map[string]int{}, accept: 0})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := range 5000 { // bounded, should the parent never kill it
		name := fmt.Sprintf("req-%05d", i)
		if err := exp.ConsumeTraces(context.Background(), namedRequest(name, killPayloadBytes)); err != nil {
			fmt.Println("refused", name)
			continue
		}
		fmt.Println(name)
	}
	os.Exit(0)
}

func TestKill9WhilePuttingLosesNoAcknowledgedRequestAndDeliversEachOnce(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), queueChildDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // if the test fails before it kills the child

	// Kill the child with SIGKILL in the middle of its puts, then read what it had acknowledged.
	var acked []string
	lines := bufio.NewScanner(out)
	killed := false
	for lines.Scan() {
		line := lines.Text()
		require.True(t, strings.HasPrefix(line, "req-"), "child: %s", line)
		acked = append(acked, line)
		if len(acked) == 150 && !killed {
			require.NoError(t, cmd.Process.Kill())
			killed = true
		}
	}
	require.True(t, killed, "the child stopped before it was killed")
	_ = cmd.Wait()
	t.Logf("the child acknowledged %d requests before it died", len(acked))

	d := &deliveries{count: map[string]int{}, accept: 1 << 30}
	exp, ext := startQueuedExporter(t, dir, d)
	require.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		for _, name := range acked {
			if d.count[name] == 0 {
				return false
			}
		}
		return true
	}, 60*time.Second, 5*time.Millisecond, "every acknowledged request is delivered after the restart")
	require.NoError(t, exp.Shutdown(context.Background()))
	require.NoError(t, ext.Shutdown(context.Background()))

	d.mu.Lock()
	defer d.mu.Unlock()
	for _, name := range acked {
		assert.Equal(t, 1, d.count[name], "%s delivered exactly once", name)
	}
	// The request being put when the child died may have reached the log without its
	// acknowledgement; nothing else may show up.
	inFlight := fmt.Sprintf("req-%05d", len(acked))
	for name, n := range d.count {
		if !slices.Contains(acked, name) {
			assert.Equal(t, inFlight, name, "delivered but neither acknowledged nor in flight")
			assert.Equal(t, 1, n)
		}
	}
}
