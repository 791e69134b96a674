// Package kafkabroker runs a real single-node Apache Kafka broker for tests: scripts/kafka-broker
// (KRaft, the official jars from Maven Central) on free loopback ports with a data directory of its
// own. A broker can be stopped and started again on the same ports and data, to simulate an
// outage; the JVM dies with the test process.
package kafkabroker

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/syncbuf"
)

// Version is the Kafka release the script runs by default.
const Version = "4.4.0"

// startTimeout bounds a start, the first of which also fetches the jars.
const startTimeout = 5 * time.Minute

// Options configure a broker.
type Options struct {
	// Properties are server.properties lines appended last (they win); "@PORT@",
	// "@CONTROLLER_PORT@" and "@DIR@" stand for the broker's ports and directory.
	Properties string
	// SCRAM creates SCRAM credentials when the log is formatted, e.g.
	// "SCRAM-SHA-512=[name=alice,password=secret]".
	SCRAM string
	// Partitions of auto-created topics (default 6).
	Partitions int
}

// Broker is one broker process, running or stopped.
type Broker struct {
	// Addr is the broker's 127.0.0.1:port.
	Addr string

	script   string
	dir      string
	port     int
	env      []string
	cacheDir string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	logs *syncbuf.Buffer
}

var javaVersion = regexp.MustCompile(`version "(\d+)`)

// Missing says what is needed to run the broker and is absent ("" when all is there): Java 17+, and
// Maven while the jars' classpath is not cached yet.
func Missing(repoRoot string) string {
	java := "java"
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java = filepath.Join(home, "bin", "java")
	}
	out, err := exec.Command(java, "-version").CombinedOutput() //nolint:gosec // G702: JAVA_HOME's java, as the broker script runs it
	if err != nil {
		return "java not found (Kafka " + Version + " needs JDK 17+)"
	}
	m := javaVersion.FindSubmatch(out)
	if m == nil {
		return fmt.Sprintf("%s -version printed no version (Kafka %s needs JDK 17+)", java, Version)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 17 {
		return fmt.Sprintf("%s is Java %d (Kafka %s needs JDK 17+)", java, n, Version)
	}
	if _, err := os.Stat(filepath.Join(classpathCache(repoRoot), "classpath-"+Version)); err == nil {
		return ""
	}
	if _, err := exec.LookPath("mvn"); err != nil {
		return "mvn not found (needed once to fetch the Kafka " + Version + " jars from Maven Central)"
	}
	return ""
}

// classpathCache is where the resolved classpath is kept between test runs (the jars themselves
// are in the local Maven repository).
func classpathCache(repoRoot string) string {
	return filepath.Join(repoRoot, ".cache", "kafka-broker")
}

// Launch starts a broker whose directory is dir (created if missing) and waits until it accepts
// connections. repoRoot is the directory holding go.mod (scripts/kafka-broker is found below it).
// The caller checks Missing first and calls Stop when done.
func Launch(repoRoot, dir string, opts Options) (*Broker, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	ctrl, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	b := &Broker{
		Addr:     fmt.Sprintf("127.0.0.1:%d", port),
		script:   filepath.Join(repoRoot, "scripts", "kafka-broker"),
		dir:      dir,
		port:     port,
		cacheDir: classpathCache(repoRoot),
		logs:     &syncbuf.Buffer{},
		env:      []string{"KAFKA_BROKER_CONTROLLER_PORT=" + strconv.Itoa(ctrl)},
	}
	if opts.Partitions > 0 {
		b.env = append(b.env, "KAFKA_BROKER_PARTITIONS="+strconv.Itoa(opts.Partitions))
	}
	if opts.SCRAM != "" {
		b.env = append(b.env, "KAFKA_BROKER_SCRAM="+opts.SCRAM)
	}
	if opts.Properties != "" {
		p := filepath.Join(dir, "extra.properties")
		if err := os.WriteFile(p, []byte(opts.Properties), 0o600); err != nil {
			return nil, err
		}
		b.env = append(b.env, "KAFKA_BROKER_PROPERTIES="+p)
	}
	if err := b.seedClasspath(); err != nil {
		return nil, err
	}
	return b, b.Resume()
}

// Dir is the broker's directory (server.properties, data/).
func (b *Broker) Dir() string { return b.dir }

// seedClasspath copies the cached classpath into the broker's directory, so only the first broker
// on a machine runs Maven.
func (b *Broker) seedClasspath() error {
	name := "classpath-" + Version
	data, err := os.ReadFile(filepath.Join(b.cacheDir, name))
	if err != nil {
		return nil //nolint:nilerr // no cache yet: the script resolves the jars
	}
	return os.WriteFile(filepath.Join(b.dir, name), data, 0o600)
}

// keepClasspath stores the classpath the script resolved, for the next broker.
func (b *Broker) keepClasspath() {
	name := "classpath-" + Version
	data, err := os.ReadFile(filepath.Join(b.dir, name))
	if err != nil {
		return
	}
	if err := os.MkdirAll(b.cacheDir, 0o750); err == nil {
		tmp := filepath.Join(b.cacheDir, name+".tmp"+strconv.Itoa(os.Getpid()))
		if os.WriteFile(tmp, data, 0o600) == nil {
			_ = os.Rename(tmp, filepath.Join(b.cacheDir, name))
		}
	}
}

// Resume starts the broker (again) on its ports and data and waits until it accepts connections;
// it does nothing when the broker runs.
func (b *Broker) Resume() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd != nil {
		return nil
	}
	cmd := exec.Command("bash", b.script, b.dir, strconv.Itoa(b.port))
	cmd.Env = append(os.Environ(), b.env...)
	cmd.Stdout, cmd.Stderr = b.logs, b.logs
	// The script execs java: the JVM gets SIGKILL if the test process dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("kafka-broker: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	b.cmd, b.done = cmd, done
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-done:
			b.cmd = nil
			return fmt.Errorf("kafka-broker exited during start-up:\n%s", b.logs.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", b.Addr, time.Second); err == nil {
			_ = c.Close()
			b.keepClasspath()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kafka-broker not listening on %s after %v:\n%s", b.Addr, startTimeout, b.logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop ends the broker (SIGTERM, SIGKILL after 30 s) and waits until it is gone; the data stays
// for Resume. Stopping a stopped broker does nothing.
func (b *Broker) Stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	cmd, done := b.cmd, b.done
	b.cmd = nil
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Shared is one broker for a test package: the first test that asks for it (Get) starts it, the
// package's TestMain stops it (Close) after the tests ran.
type Shared struct {
	// Setup, if set, prepares the broker's directory (keystores, ...) before its first start and
	// returns its options; t is the test that asked first (files it keeps belong in dir).
	Setup func(t testing.TB, dir string) (Options, error)

	once    sync.Once
	broker  *Broker
	dir     string
	missing string
	err     error
}

// Get returns the shared broker, starting it on first use; without Java or Maven it skips the test
// (or fails it under AGENTAUDIT_REQUIRE_PEERS=1) with the reason.
func (s *Shared) Get(t testing.TB) *Broker {
	t.Helper()
	root := peers.RepoRoot(t)
	s.once.Do(func() {
		if s.missing = Missing(root); s.missing != "" {
			return
		}
		// Not t.TempDir: the broker outlives the test that started it (Close removes it).
		if s.dir, s.err = os.MkdirTemp("", "kafka-broker-"); s.err != nil { //nolint:usetesting // see above
			return
		}
		var opts Options
		if s.Setup != nil {
			if opts, s.err = s.Setup(t, s.dir); s.err != nil {
				return
			}
		}
		s.broker, s.err = Launch(root, s.dir, opts)
	})
	peers.Require(t, s.missing == "", s.missing)
	if s.err != nil {
		t.Fatalf("kafka broker: %v", s.err)
	}
	// A test that stopped the broker (an outage) may have failed before starting it again.
	if err := s.broker.Resume(); err != nil {
		t.Fatalf("kafka broker: %v", err)
	}
	return s.broker
}

// Close stops the shared broker, if one was started, and removes its directory.
func (s *Shared) Close() {
	if s.broker != nil {
		s.broker.Stop()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// Logs is what the broker printed so far, for failure messages.
func (b *Broker) Logs() string { return b.logs.String() }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("kafkabroker: pick a port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("kafkabroker: free the picked port: %w", err)
	}
	return port, nil
}
