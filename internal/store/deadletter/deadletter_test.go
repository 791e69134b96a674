package deadletter

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// TestWrittenLettersReadBackPrivateAndWhole writes letters from several goroutines at once and reads
// every one back whole, from a 0600 file in a 0700 directory; an empty write creates nothing.
func TestWrittenLettersReadBackPrivateAndWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dead")
	d := New(dir, "postgres")
	if err := d.Prepare(); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(nil); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("an empty write created %d files", len(files))
	}
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("rec-%d-%d", w, i)
				err := d.Write([]Letter{{
					Signal: "traces", Index: "agentaudit.records", RecordID: id, Status: 400,
					ErrorType: "22P05", Reason: "unsupported Unicode escape sequence", Record: &auditrecord.Record{RecordID: id},
				}})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	letters, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range letters {
		if l.Record == nil || l.Record.RecordID != l.RecordID || l.ErrorType != "22P05" {
			t.Errorf("letter read back changed: %+v", l)
		}
		seen[l.RecordID] = true
	}
	if len(letters) != writers*perWriter || len(seen) != writers*perWriter {
		t.Errorf("read %d letters (%d distinct), want %d", len(letters), len(seen), writers*perWriter)
	}
	if info, err := os.Stat(dir); err != nil {
		t.Error(err)
	} else if info.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", info.Mode().Perm())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "postgres-dead-letter-*.jsonl"))
	if len(files) == 0 {
		t.Fatal("no dated postgres-dead-letter file")
	}
	for _, f := range files {
		if info, err := os.Stat(f); err != nil {
			t.Error(err)
		} else if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, info.Mode().Perm())
		}
	}
}
