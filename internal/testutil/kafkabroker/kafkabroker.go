// Package kafkabroker runs a real Apache Kafka broker for tests: the single-node KRaft broker
// (broker and controller in one JVM) that test/kafka starts from the broker's Maven Central jars.
// Each broker gets two free 127.0.0.1 ports (clients, controller) and its own data directory, and is
// stopped at test cleanup; a test binary that dies without cleanup takes its broker with it.
package kafkabroker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// Version is the Kafka version test/kafka runs (keep in step with test/kafka/pom.xml).
const Version = "4.1.1"

// parentPIDEnv names the process whose end stops the broker (read by test/kafka's launcher).
const parentPIDEnv = "KAFKA_PARENT_PID"

// stopTimeout bounds a graceful stop before the JVM is killed.
const stopTimeout = 30 * time.Second

// How much of the broker's output a failure shows: its first errors (a failed start ends in many
// lines of shutdown that bury the cause) and then its last lines.
const (
	logErrorLines = 12
	logTailLines  = 40
)

// Missing says what is needed to run the broker and is not there ("" when all is).
func Missing() string {
	var missing []string
	for _, tool := range []string{"java", "mvn", "flock"} {
		if tool == "java" && os.Getenv("JAVA_HOME") != "" {
			if _, err := os.Stat(filepath.Join(os.Getenv("JAVA_HOME"), "bin", "java")); err == nil {
				continue
			}
		}
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "test Kafka broker needs " + strings.Join(missing, ", ") + " (JDK 17 and Maven)"
}

// Start gives the test a Kafka broker of its own and returns its bootstrap address
// ("127.0.0.1:PORT", PLAINTEXT, topics auto-created with 3 partitions). Without a JDK and Maven it
// skips (or fails under AGENTAUDIT_REQUIRE_PEERS=1). The broker is stopped at test cleanup, and its
// log tail is shown when the start or the test fails.
func Start(t testing.TB) (bootstrap string) {
	t.Helper()
	missing := Missing()
	peers.Require(t, missing == "", missing)
	ports, err := freePorts(2)
	if err != nil {
		t.Fatalf("kafkabroker: %v", err)
	}
	dataDir := t.TempDir()
	script := filepath.Join(peers.RepoRoot(t), "test", "kafka", "start.sh")
	cmd := exec.Command("bash", script, strconv.Itoa(ports[0]), strconv.Itoa(ports[1]), dataDir)
	cmd.Env = append(os.Environ(), parentPIDEnv+"="+strconv.Itoa(os.Getpid()))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// start.sh reports a failed build or start (with the broker's log) on stderr.
		t.Fatalf("kafkabroker: %s: %v\n%s", script, err, excerpt(stderr.String()))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("kafkabroker: start.sh printed %q, want a pid", out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kafkabroker: broker log:\n%s", LogExcerpt(dataDir))
		}
		if err := stop(pid); err != nil {
			t.Errorf("kafkabroker: stop: %v", err)
		}
	})
	return fmt.Sprintf("127.0.0.1:%d", ports[0])
}

// LogExcerpt is the broker's first errors and last lines in dataDir, for failure messages.
func LogExcerpt(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, "broker.log"))
	if err != nil {
		return err.Error()
	}
	return excerpt(string(b))
}

// excerpt keeps a broker log's first error lines and causes, then its tail.
func excerpt(log string) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	var errs []string
	for _, line := range lines {
		if len(errs) == logErrorLines {
			break
		}
		if strings.Contains(line, "] ERROR ") || strings.Contains(line, "] FATAL ") || strings.HasPrefix(line, "Caused by: ") {
			errs = append(errs, line)
		}
	}
	if len(lines) > logTailLines {
		lines = append([]string{"..."}, lines[len(lines)-logTailLines:]...)
	}
	if len(errs) == 0 {
		return strings.Join(lines, "\n")
	}
	return "first errors:\n" + strings.Join(errs, "\n") + "\nlast lines:\n" + strings.Join(lines, "\n")
}

// stop ends the broker gracefully (SIGTERM, then SIGKILL after stopTimeout) and waits until it is
// gone, so the test's data directory can be removed.
func stop(pid int) error {
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return err
	}
	deadline := time.Now().Add(stopTimeout)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(stopTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
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

// freePorts picks n distinct free 127.0.0.1 ports, holding each until all are chosen.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
