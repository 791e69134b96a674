// Package s3server runs a real S3 API (versitygw with its posix backend) for tests: each server gets
// its own temp directories, a free 127.0.0.1 port and random root credentials, and can be stopped and
// restarted on the same port and data to simulate an outage.
package s3server

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/syncbuf"
)

// InstallHint tells a developer how to get the binary the tests need.
const InstallHint = "versitygw not installed: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Region is the region versitygw is started with; clients must sign for it.
const Region = "us-east-1"

// startTimeout bounds how long we wait for versitygw to answer HTTP after starting it.
const startTimeout = 30 * time.Second

// Server is one running (or stopped) versitygw.
type Server struct {
	Endpoint  string // http://127.0.0.1:<port>
	AccessKey string
	SecretKey string
	Region    string

	t             testing.TB
	binary        string
	addr          string
	dataDir       string
	versioningDir string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	output *syncbuf.Buffer
}

// FindBinary looks for versitygw on PATH, then in $GOPATH/bin (default ~/go/bin).
func FindBinary() (string, bool) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, true
	}
	var candidates []string
	if gopath := os.Getenv("GOPATH"); gopath != "" {
		for _, dir := range filepath.SplitList(gopath) {
			candidates = append(candidates, filepath.Join(dir, "bin", "versitygw"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, "go", "bin", "versitygw"))
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(string(bytes.TrimSpace(out))) {
			candidates = append(candidates, filepath.Join(dir, "bin", "versitygw"))
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return c, true
		}
	}
	return "", false
}

// Start runs versitygw for the duration of the test; it skips the test (or fails it under
// AGENTAUDIT_REQUIRE_PEERS=1) when the binary is missing. The server is stopped at test cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	binary, ok := FindBinary()
	peers.Require(t, ok, InstallHint)

	base := t.TempDir()
	s := &Server{
		AccessKey:     "test" + randomHex(t, 8),
		SecretKey:     randomHex(t, 20),
		Region:        Region,
		t:             t,
		binary:        binary,
		addr:          freeAddr(t),
		dataDir:       filepath.Join(base, "data"),
		versioningDir: filepath.Join(base, "versions"),
	}
	for _, dir := range []string{s.dataDir, s.versioningDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("s3server: %v", err)
		}
	}
	s.Endpoint = "http://" + s.addr
	t.Cleanup(s.Stop)
	s.start()
	return s
}

// Stop ends the gateway process; the data stays, so Restart brings the same buckets back.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Restart starts the gateway again on the same address with the same data and credentials.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Output is what versitygw wrote to stdout and stderr so far, for failure messages.
func (s *Server) Output() string { return s.output.String() }

func (s *Server) start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.output = &syncbuf.Buffer{}
	cmd := exec.Command(s.binary,
		"--port", s.addr,
		"--region", s.Region,
		"--quiet",
		"posix",
		"--versioning-dir", s.versioningDir,
		s.dataDir,
	)
	// Credentials go through the environment so they do not show up in the process list.
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	cmd.Stdout = s.output
	cmd.Stderr = s.output
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("s3server: start %s: %v", s.binary, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	if err := waitUntilAnswering(s.Endpoint, exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		s.cmd = nil
		s.t.Fatalf("s3server: versitygw did not come up on %s: %v\noutput:\n%s", s.addr, err, s.output.String())
	}
}

// waitUntilAnswering polls until the gateway returns any HTTP response (an unsigned request gets 403,
// which proves the S3 API is serving).
func waitUntilAnswering(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(endpoint + "/")
		if err == nil {
			_ = resp.Body.Close() // any response proves the gateway serves; the body is never read
			return nil
		}
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %s: %w", startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3server: pick a port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("s3server: free the picked port: %v", err)
	}
	return addr
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("s3server: random: %v", err)
	}
	return hex.EncodeToString(b)
}
