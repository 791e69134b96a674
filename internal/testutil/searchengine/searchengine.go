// Package searchengine runs real search engines for tests: the single-node Elasticsearch 8.17.0,
// OpenSearch 2.19.6 and OpenSearch 3.9.0 that test/searchengine embeds in small JVM launchers built
// from Maven Central jars. Each engine gets a free 127.0.0.1 port and its own data directory, and can
// be stopped and restarted on both to simulate an outage. With ES_URL set, tests use that external
// cluster instead.
package searchengine

import (
	"errors"
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

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// Kind names a search engine a test runs against: which server it is, as test/searchengine/start.sh
// names it. Several kinds share one store flavor (see StoreFlavor).
type Kind string

// The embedded engines.
const (
	Elasticsearch Kind = "elasticsearch"
	OpenSearch    Kind = "opensearch"  // OpenSearch 2.x, on Java 17
	OpenSearch3   Kind = "opensearch3" // OpenSearch 3.x, on Java 21+
)

// EmbeddedVersions says which version of each kind test/searchengine runs (kept in step with
// test/searchengine/*/pom.xml by TestEmbeddedVersionsMatchPoms).
var EmbeddedVersions = map[Kind]string{Elasticsearch: "8.17.0", OpenSearch: "2.19.6", OpenSearch3: "3.9.0"}

// StoreFlavor is the esstore flavor (the client, as the store's config names it) that talks to an
// engine of this kind: every OpenSearch major is the "opensearch" flavor.
func (k Kind) StoreFlavor() string {
	if k == OpenSearch3 {
		return string(OpenSearch)
	}
	return string(k)
}

// ExternalURLEnv names an external cluster to test against instead of the embedded engine;
// ExternalFlavorEnv says which flavor it is (default elasticsearch).
const (
	ExternalURLEnv    = "ES_URL"
	ExternalFlavorEnv = "ES_FLAVOR"
)

// stopTimeout bounds a graceful stop before the JVM is killed.
const stopTimeout = 30 * time.Second

// Flavor is the store flavor for the engine Start and Shared give: elasticsearch, or the external
// cluster's ES_FLAVOR (default elasticsearch) when ES_URL is set.
func Flavor() string { return Kinds()[0].StoreFlavor() }

// Kinds lists the engines tests run against: every embedded one, or the external cluster, of the
// kind ES_FLAVOR names (default elasticsearch), when ES_URL is set.
func Kinds() []Kind {
	if os.Getenv(ExternalURLEnv) != "" {
		if f := os.Getenv(ExternalFlavorEnv); f != "" {
			return []Kind{Kind(f)}
		}
		return []Kind{Elasticsearch}
	}
	return []Kind{Elasticsearch, OpenSearch, OpenSearch3}
}

// External reports whether tests run against an external cluster (ES_URL).
func External() bool { return os.Getenv(ExternalURLEnv) != "" }

// Engine is one embedded node, running or stopped.
type Engine struct {
	URL  string
	Kind Kind

	script  string
	port    int
	dataDir string

	mu      sync.Mutex
	pid     int
	running bool
}

func startScript(repoRoot string) string {
	return filepath.Join(repoRoot, "test", "searchengine", "start.sh")
}

// Missing says what is needed to run the embedded engine of the kind and is not there ("" when all
// is): a JDK recent enough for it (17, or 21 for OpenSearch 3), Maven, curl, flock. start.sh --check
// answers, so the JDK it picks and the one asked about are the same. repoRoot is the directory
// holding go.mod.
func Missing(repoRoot string, kind Kind) string {
	if _, ok := EmbeddedVersions[kind]; !ok {
		return fmt.Sprintf("no embedded %q engine", kind)
	}
	out, err := exec.Command("bash", startScript(repoRoot), "--check", string(kind)).Output()
	if err == nil {
		return ""
	}
	if msg := strings.TrimSpace(string(out)); msg != "" {
		return msg + ", or set ES_URL"
	}
	return fmt.Sprintf("start.sh --check %s: %v", kind, err)
}

// Launch starts an embedded engine of the kind whose data lives in dataDir and waits until it
// answers health. repoRoot is the directory holding go.mod (test/searchengine is found below it).
func Launch(repoRoot, dataDir string, kind Kind) (*Engine, error) {
	if _, ok := EmbeddedVersions[kind]; !ok {
		return nil, fmt.Errorf("searchengine: no embedded %q engine", kind)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		URL:     fmt.Sprintf("http://127.0.0.1:%d", port),
		Kind:    kind,
		script:  startScript(repoRoot),
		port:    port,
		dataDir: dataDir,
	}
	return e, e.Start()
}

// Start runs the engine (again) on its port and data directory; it does nothing when running.
func (e *Engine) Start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running {
		return nil
	}
	cmd := exec.Command("bash", e.script, strconv.Itoa(e.port), e.dataDir, string(e.Kind))
	cmd.Env = append(os.Environ(), "SEARCHENGINE_PARENT_PID="+strconv.Itoa(os.Getpid()))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("searchengine: %s %d %s: %w\n%s%s", e.script, e.port, e.dataDir, err, out, stderr.String())
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return errors.New("searchengine: start.sh printed no pid")
	}
	pid, err := strconv.Atoi(fields[len(fields)-1])
	if err != nil {
		return fmt.Errorf("searchengine: start.sh printed %q, want a pid", out)
	}
	e.pid, e.running = pid, true
	return nil
}

// Stop ends the node gracefully (SIGTERM, then SIGKILL after stopTimeout) and waits until its
// port is free; the data directory stays for Start. Stopping a stopped engine does nothing.
func (e *Engine) Stop() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.running {
		return nil
	}
	e.running = false
	proc, err := os.FindProcess(e.pid)
	if err != nil {
		return err
	}
	_ = proc.Signal(syscall.SIGTERM)
	deadline := time.Now().Add(stopTimeout)
	for processAlive(e.pid) {
		if time.Now().After(deadline) {
			_ = proc.Signal(syscall.SIGKILL)
			deadline = time.Now().Add(stopTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// Log is what the node wrote so far, for failure messages.
func (e *Engine) Log() string {
	b, _ := os.ReadFile(filepath.Join(e.dataDir, "engine.log"))
	return string(b)
}

// Start gives a test an Elasticsearch engine of its own; see StartKind.
func Start(t testing.TB) (url string, stop func(), restart func()) {
	t.Helper()
	return StartKind(t, Elasticsearch)
}

// StartKind gives a test an engine of the kind of its own: the URL, and stop/restart functions
// for outage tests. With ES_URL set it returns that URL and nil stop/restart (tests needing them
// should skip). Without ES_URL and without what the engine needs (see Missing) it skips (or fails
// under AGENTAUDIT_REQUIRE_PEERS=1). The embedded engine is stopped at test cleanup.
func StartKind(t testing.TB, kind Kind) (url string, stop func(), restart func()) {
	t.Helper()
	if u := os.Getenv(ExternalURLEnv); u != "" {
		return strings.TrimRight(u, "/"), nil, nil
	}
	root := peers.RepoRoot(t)
	missing := Missing(root, kind)
	peers.Require(t, missing == "", missing)
	e, err := Launch(root, t.TempDir(), kind)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Errorf("searchengine: stop: %v", err)
		}
	})
	stop = func() {
		t.Helper()
		if err := e.Stop(); err != nil {
			t.Fatalf("searchengine: stop: %v", err)
		}
	}
	restart = func() {
		t.Helper()
		if err := e.Start(); err != nil {
			t.Fatalf("searchengine: restart: %v", err)
		}
	}
	return e.URL, stop, restart
}

// processAlive reports whether pid still runs (a zombie counts as gone: start.sh's child is
// reparented, so it is reaped by init, not by us).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return !errors.Is(err, syscall.ESRCH)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("searchengine: pick a port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("searchengine: free the picked port: %w", err)
	}
	return port, nil
}

// Healthy reports whether url answers cluster health; tests use it to assert an outage.
func Healthy(url string) bool {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url + "/_cluster/health")
	if err != nil {
		return false
	}
	_ = resp.Body.Close() // only the status matters; the body is never read
	return resp.StatusCode == http.StatusOK
}

type sharedEngine struct {
	once    sync.Once
	engine  *Engine
	dataDir string
	err     error
}

var (
	sharedMu sync.Mutex
	shared   = map[Kind]*sharedEngine{}
)

// Shared returns the URL of the Elasticsearch engine shared by the test binary; see SharedKind.
func Shared(t testing.TB) string {
	t.Helper()
	return SharedKind(t, Elasticsearch)
}

// SharedKind returns the URL of one engine of the kind shared by every test in the test binary
// (ES_URL when set), so tests that need no outage pay the JVM start once. Tests sharing it must use
// index names of their own. A package using it calls StopShared from TestMain after m.Run.
func SharedKind(t testing.TB, kind Kind) string {
	t.Helper()
	if u := os.Getenv(ExternalURLEnv); u != "" {
		return strings.TrimRight(u, "/")
	}
	root := peers.RepoRoot(t)
	missing := Missing(root, kind)
	peers.Require(t, missing == "", missing)
	sharedMu.Lock()
	se, ok := shared[kind]
	if !ok {
		se = &sharedEngine{}
		shared[kind] = se
	}
	sharedMu.Unlock()
	se.once.Do(func() {
		// Not t.TempDir: the engine outlives this test; StopShared removes the directory.
		se.dataDir, se.err = os.MkdirTemp("", "searchengine-"+string(kind)+"-") //nolint:usetesting // shared by the test binary, see above
		if se.err != nil {
			return
		}
		se.engine, se.err = Launch(root, se.dataDir, kind)
	})
	if se.err != nil {
		t.Fatalf("%v", se.err)
	}
	return se.engine.URL
}

// StopShared stops the shared engines, if any were started, and removes their data.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	for _, se := range shared {
		if se.engine != nil {
			_ = se.engine.Stop()
		}
		if se.dataDir != "" {
			_ = os.RemoveAll(se.dataDir)
		}
	}
}
