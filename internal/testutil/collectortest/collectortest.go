// Package collectortest runs the real built collector binary (bin/otelcol-agentaudit) for end-to-end
// tests: free ports, a temporary data directory, health checks, and reading the stored records back.
package collectortest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/syncbuf"
)

// BinaryEnv names the collector binary to test; by default <repo>/bin/otelcol-agentaudit.
const BinaryEnv = "AGENTAUDIT_COLLECTOR_BIN"

// Binary returns the collector binary, skipping (or failing in CI) when it has not been built.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		bin = filepath.Join(peers.RepoRoot(t), "bin", "otelcol-agentaudit")
	}
	_, err := os.Stat(bin)
	peers.Require(t, err == nil, "collector binary "+bin+" not built: run `make build`")
	return bin
}

// Options configure a collector run.
type Options struct {
	// Config is the collector config file; default <repo>/config/local.yaml.
	Config string
	// ExtraConfigs are further config files merged over Config in order (one --config flag each),
	// e.g. an optional pipeline or a test overlay.
	ExtraConfigs []string
	// Env adds environment variables (the shipped configs read endpoints and paths from them).
	Env map[string]string
	// DataDir is the store directory; default a new temporary directory.
	DataDir string
}

// Collector is a running collector process.
type Collector struct {
	t            testing.TB
	bin          string
	opts         Options
	GRPCEndpoint string
	HTTPEndpoint string
	HealthURL    string
	MetricsURL   string
	DataDir      string

	mu   sync.Mutex
	cmd  *exec.Cmd
	logs *syncbuf.Buffer
	done chan struct{}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// endpointKeys are the listening addresses Start picks unless the test's Env sets them.
var endpointKeys = []string{"AGENTAUDIT_OTLP_GRPC_ENDPOINT", "AGENTAUDIT_OTLP_HTTP_ENDPOINT", "AGENTAUDIT_HEALTH_ENDPOINT", "AGENTAUDIT_METRICS_PORT"}

func fixesEndpoints(env map[string]string) bool {
	for _, k := range endpointKeys {
		if _, ok := env[k]; ok {
			return true
		}
	}
	return false
}

// endpoints picks free ports for the collector's listeners and returns its environment: those,
// its data, queue and identity directories, then the test's own settings over them.
func (c *Collector) endpoints(own map[string]string) map[string]string {
	c.GRPCEndpoint = fmt.Sprintf("127.0.0.1:%d", FreePort(c.t))
	c.HTTPEndpoint = fmt.Sprintf("127.0.0.1:%d", FreePort(c.t))
	health := fmt.Sprintf("127.0.0.1:%d", FreePort(c.t))
	metricsPort := FreePort(c.t)
	c.HealthURL = "http://" + health + "/"
	c.MetricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	env := map[string]string{
		"AGENTAUDIT_OTLP_GRPC_ENDPOINT": c.GRPCEndpoint,
		"AGENTAUDIT_OTLP_HTTP_ENDPOINT": c.HTTPEndpoint,
		"AGENTAUDIT_HEALTH_ENDPOINT":    health,
		"AGENTAUDIT_METRICS_PORT":       strconv.Itoa(metricsPort),
		"AGENTAUDIT_DATA_DIR":           c.DataDir,
		// The shipped S3, search-engine, PostgreSQL and gateway configs default these to fixed paths
		// (./data/queue, /var/lib/agentaudit/…): each test collector gets its own, so no journal or
		// queue outlives its test or is shared by two collectors. A test may still set them.
		"AGENTAUDIT_QUEUE_DIR":    filepath.Join(c.DataDir, "queue"),
		"AGENTAUDIT_IDENTITY_DIR": filepath.Join(c.DataDir, ".identity-hold", "collector"),
	}
	for k, v := range own {
		env[k] = v
	}
	return env
}

// Start launches the collector and waits until its health check answers.
func Start(t testing.TB, opts Options) *Collector {
	t.Helper()
	bin := Binary(t)
	if opts.Config == "" {
		opts.Config = filepath.Join(peers.RepoRoot(t), "config", "local.yaml")
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	c := &Collector{t: t, bin: bin, opts: opts, DataDir: opts.DataDir, logs: &syncbuf.Buffer{}}
	own := opts.Env
	for attempt := 1; ; attempt++ {
		c.opts.Env = c.endpoints(own)
		err := c.tryLaunch()
		if err == nil {
			break
		}
		// A port found free can be taken before the collector binds it (another process's
		// ephemeral port): pick new ones, unless the test chose them.
		if attempt < 3 && strings.Contains(c.Logs(), "address already in use") && !fixesEndpoints(own) {
			continue
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

func (c *Collector) launch() {
	c.t.Helper()
	if err := c.tryLaunch(); err != nil {
		c.t.Fatal(err)
	}
}

// tryLaunch starts the collector and waits until it is healthy.
func (c *Collector) tryLaunch() error {
	args := []string{"--config", c.opts.Config}
	for _, extra := range c.opts.ExtraConfigs {
		args = append(args, "--config", extra)
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Env = os.Environ()
	for k, v := range c.opts.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout = c.logs
	cmd.Stderr = c.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start collector: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	c.mu.Lock()
	c.cmd, c.done = cmd, done
	c.mu.Unlock()
	return c.waitHealthy(done)
}

func (c *Collector) waitHealthy(done chan struct{}) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("collector exited during start-up:\n%s", c.Logs())
		default:
		}
		resp, err := http.Get(c.HealthURL)
		if err == nil {
			_ = resp.Body.Close() // only the status matters; the body is never read
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("collector not healthy after 60s:\n%s", c.Logs())
}

// Stop sends SIGTERM and waits for a clean shutdown (which drains the in-memory queue).
func (c *Collector) Stop() {
	c.signal(syscall.SIGTERM)
}

// Kill sends SIGKILL: no shutdown, no draining — what a crash looks like.
func (c *Collector) Kill() {
	c.signal(syscall.SIGKILL)
}

func (c *Collector) signal(sig syscall.Signal) {
	c.mu.Lock()
	cmd, done := c.cmd, c.done
	c.cmd = nil
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// PID is the process id of the running collector (0 when stopped), e.g. to read /proc/<pid>/status.
func (c *Collector) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// Exited reports whether the collector process ended on its own (crashed or quit) after it started.
func (c *Collector) Exited() bool {
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// Restart starts the collector again on the same ports and data directory.
func (c *Collector) Restart() {
	c.t.Helper()
	c.Stop()
	c.launch()
}

// Logs returns everything the collector printed so far.
func (c *Collector) Logs() string { return c.logs.String() }

// Metrics returns the collector's own Prometheus metrics page.
func (c *Collector) Metrics() string {
	c.t.Helper()
	resp, err := http.Get(c.MetricsURL)
	if err != nil {
		c.t.Fatalf("metrics: %v", err)
	}
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		c.t.Fatalf("metrics: reading the page: %v", err)
	}
	return b.String()
}

// Store opens the collector's file store for reading.
func (c *Collector) Store() *objectstore.Store {
	c.t.Helper()
	return OpenFileStore(c.t, c.DataDir)
}

// OpenFileStore opens a file store directory for reading.
func OpenFileStore(t testing.TB, dir string) *objectstore.Store {
	t.Helper()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	return objectstore.New(b, objectstore.Options{}, store.Settings{})
}

// Records returns every stored record, each checked against the JSON Schema.
func (c *Collector) Records() []*auditrecord.Record {
	c.t.Helper()
	return ReadRecords(c.t, c.Store())
}

// ReadRecords returns every record of a store, failing the test on any that violates the schema.
func ReadRecords(t testing.TB, s *objectstore.Store) []*auditrecord.Record {
	t.Helper()
	ctx := context.Background()
	keys, err := s.DataObjects(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*auditrecord.Record
	for _, k := range keys {
		data, err := s.Backend().Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := objectstore.ObjectLines(k, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if err := auditrecord.ValidateJSON(l); err != nil {
				t.Fatalf("%s: stored record violates the schema: %v", k, err)
			}
		}
		recs, err := objectstore.DecodeRecords(k, data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs...)
	}
	return out
}

// WaitForRecords polls the store until done(records) holds or the timeout passes, and returns the
// last records read.
func (c *Collector) WaitForRecords(timeout time.Duration, done func([]*auditrecord.Record) bool) []*auditrecord.Record {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		recs := c.Records()
		if done(recs) {
			return recs
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("records not as expected after %v (have %d)\ncollector log:\n%s", timeout, len(recs), c.Logs())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// AtLeast returns a WaitForRecords condition: at least n records.
func AtLeast(n int) func([]*auditrecord.Record) bool {
	return func(r []*auditrecord.Record) bool { return len(r) >= n }
}
