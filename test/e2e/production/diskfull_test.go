package production

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// retryableCodes are the gRPC codes OTLP clients retry (OTLP specification, "Failures").
var retryableCodes = map[codes.Code]bool{
	codes.Canceled: true, codes.DeadlineExceeded: true, codes.ResourceExhausted: true, codes.Aborted: true,
	codes.OutOfRange: true, codes.Unavailable: true, codes.DataLoss: true,
}

// mountSmallFS mounts a tmpfs of the given size at a new directory for the test and unmounts it at
// cleanup (after anything the test starts later has stopped). Mounting needs root: without it the
// test skips, and a failed mount as root is a missing peer (fails under AGENTAUDIT_REQUIRE_PEERS=1).
func mountSmallFS(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk full needs a size-limited file system; mounting a tmpfs needs root (CI runs as root)")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0750", "agentaudit-diskfull", dir).CombinedOutput()
	if err == nil {
		// Registered before anything can skip or fail the test, so the mount never outlives it.
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				_ = exec.Command("umount", "-l", dir).Run()
				t.Logf("umount %s: %v %s", dir, err, out)
			}
		})
	}
	peers.Require(t, err == nil, "mount a "+size+" tmpfs: "+strings.TrimSpace(string(out)))
	return dir
}

// fillUp writes a file until the file system has no space left and returns its path.
func fillUp(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // the disk is full on purpose: a close error is expected
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return p
		}
	}
}

// TestDiskFullRefusesRetryablyAndRecovers runs the embedded default on a data directory that is a
// 16 MiB tmpfs, fills it up while an agent keeps sending, and frees it again. While the disk is
// full the collector refuses new data with a retryable error and says why in its log; it stays up,
// loses nothing it acknowledged, and accepts and stores data again once space returns.
func TestDiskFullRefusesRetryablyAndRecovers(t *testing.T) {
	dataDir := mountSmallFS(t, "16m")
	c, send := startLocal(t, dataDir)
	perSpan := storedPerSpan(t, send, c.Records, c.Logs)

	// Acknowledged but not yet written when the disk fills: the queue holds it until space returns.
	acked := sendBatches(t, send, 1, 3)
	filler := fillUp(t, dataDir)
	refused := map[codes.Code]int{}
	ackedWhileFull := 0
	for b := 11; b <= 40; b++ {
		err := send(chatTraces(b, spansPerRequest))
		if err == nil {
			ackedWhileFull++
			for i := range spansPerRequest {
				acked = append(acked, spanIDHex(b, i))
			}
			continue
		}
		code := status.Code(err)
		refused[code]++
		if !retryableCodes[code] {
			t.Errorf("request %d refused with %v, which OTLP clients do not retry: %v", b, code, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(refused) == 0 {
		t.Fatalf("the collector acknowledged all 30 requests on a full disk\n%s", c.Logs())
	}
	if c.Exited() {
		t.Fatalf("the collector died on a full disk\n%s", c.Logs())
	}
	if !strings.Contains(c.Logs(), "no space left on device") {
		t.Errorf("the log does not say the disk is full\n%s", c.Logs())
	}
	t.Logf("disk full: %d requests acknowledged (queue pages already on disk), refused: %v", ackedWhileFull, refused)
	for _, line := range strings.Split(c.Logs(), "\n") {
		if strings.Contains(line, "no space left on device") {
			t.Logf("collector log: %.400s", line)
			break
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	recovered := time.Now()
	b := 100
	if !waitFor(60*time.Second, func() bool {
		b++
		if err := send(chatTraces(b, spansPerRequest)); err != nil {
			return false
		}
		for i := range spansPerRequest {
			acked = append(acked, spanIDHex(b, i))
		}
		return true
	}) {
		t.Fatalf("no request accepted within 60 s of freeing the disk\n%s", c.Logs())
	}
	t.Logf("accepting again %s after space returned", time.Since(recovered).Round(100*time.Millisecond))
	acked = append(acked, sendBatches(t, send, 200, 202)...)
	checkStoredOnce(t, "after the disk full", c.Store(), fileBackend(t, dataDir), acked, perSpan, c.Logs)
}
