package filestore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

func newTestBackend(t *testing.T) *Backend {
	t.Helper()
	b, err := NewBackend(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatalf("NewBackend: %v", err)
	}
	return b
}

func TestNewBackendCreatesAbsoluteRoot(t *testing.T) {
	t.Chdir(t.TempDir())
	b, err := NewBackend("data/nested")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(b.Root) {
		t.Fatalf("Root %q is not absolute", b.Root)
	}
	if fi, err := os.Stat(b.Root); err != nil || !fi.IsDir() {
		t.Fatalf("root not created: %v", err)
	}
	if got, want := b.String(), "file://"+filepath.ToSlash(b.Root); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestPutGetRoundTripAndOverwrite(t *testing.T) {
	ctx := context.Background()
	b := newTestBackend(t)
	key := "audit/year=2026/month=12/day=01/hour=10/i-traces-1.jsonl.gz"
	if err := b.Put(ctx, key, []byte("first")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := b.Put(ctx, key, []byte("second")); err != nil {
		t.Fatalf("Put again: %v", err)
	}
	got, err := b.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(got) != "second" {
		t.Fatalf("Get = %q, want the last write", got)
	}
	// No temporary file stays behind beside the object.
	entries, err := os.ReadDir(filepath.Dir(filepath.Join(b.Root, filepath.FromSlash(key))))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(key) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only the object", names)
	}
}

func TestGetMissingIsErrNotExist(t *testing.T) {
	b := newTestBackend(t)
	_, err := b.Get(context.Background(), "audit/missing.jsonl.gz")
	if !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Get missing: err = %v, want ErrNotExist", err)
	}
}

func TestKeysOutsideTheRootAreRejected(t *testing.T) {
	ctx := context.Background()
	b := newTestBackend(t)
	for _, key := range []string{"", "/", "../escape", "audit/../../escape", "a/../b"} {
		if err := b.Put(ctx, key, []byte("x")); err == nil {
			t.Errorf("Put(%q) succeeded, want an invalid-key error", key)
		}
		if _, err := b.Get(ctx, key); err == nil || errors.Is(err, objectstore.ErrNotExist) {
			t.Errorf("Get(%q) err = %v, want an invalid-key error", key, err)
		}
		if err := b.Delete(ctx, key); err == nil {
			t.Errorf("Delete(%q) succeeded, want an invalid-key error", key)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(b.Root), "escape")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a file was written outside the root: %v", err)
	}
}

func TestListIsSortedPrefixedAndHidesTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	b := newTestBackend(t)
	keys := []string{
		"audit/year=2026/month=12/day=02/hour=00/b.jsonl.gz",
		"audit/year=2026/month=11/day=30/hour=23/a.jsonl.gz",
		"audit/year=2026/month=12/day=01/hour=10/c.jsonl.gz",
		"manifests/x.json",
		"auditextra/not-under-prefix.json",
	}
	for _, k := range keys {
		if err := b.Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	// A temporary file a crashed Put left behind is never listed.
	tmp := filepath.Join(b.Root, "audit", "year=2026", "month=12", "day=01", "hour=10", tempPrefix+"c.jsonl.gz-123")
	if err := os.WriteFile(tmp, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := b.List(ctx, "audit/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{keys[1], keys[2], keys[0]}
	if !slices.Equal(got, want) {
		t.Fatalf("List(audit/) = %v, want %v", got, want)
	}

	got, err = b.List(ctx, "audit/year=2026/month=12/")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{keys[2], keys[0]}; !slices.Equal(got, want) {
		t.Fatalf("List(month=12) = %v, want %v", got, want)
	}

	got, err = b.List(ctx, "nothing-here/")
	if err != nil || len(got) != 0 {
		t.Fatalf("List of a missing prefix = %v, %v; want empty, nil", got, err)
	}
}

func TestDeleteRemovesAndToleratesMissing(t *testing.T) {
	ctx := context.Background()
	b := newTestBackend(t)
	if err := b.Put(ctx, "audit/x.json", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, "audit/x.json"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := b.Get(ctx, "audit/x.json"); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Get after Delete: %v, want ErrNotExist", err)
	}
	if err := b.Delete(ctx, "audit/x.json"); err != nil {
		t.Fatalf("Delete of a missing object: %v, want nil", err)
	}
}

func TestRemoveStaleTempKeepsObjectsAndFreshTemporaries(t *testing.T) {
	ctx := context.Background()
	b := newTestBackend(t)
	if err := b.Put(ctx, "audit/d/obj.jsonl.gz", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(b.Root, "audit", "d")
	stale := filepath.Join(dir, tempPrefix+"obj-old")
	fresh := filepath.Join(dir, tempPrefix+"obj-new")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	old := start.Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	// An object that merely looks old is never touched: only temporary files are removed.
	if err := os.Chtimes(filepath.Join(dir, "obj.jsonl.gz"), old, old); err != nil {
		t.Fatal(err)
	}

	n, err := b.RemoveStaleTemp(ctx, start.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("removed %d files, want 1", n)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatalf("a temporary file written after the cut was removed: %v", err)
	}
	if got, err := b.Get(ctx, "audit/d/obj.jsonl.gz"); err != nil || string(got) != "kept" {
		t.Fatalf("object after RemoveStaleTemp = %q, %v", got, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.RemoveStaleTemp(cancelled, start); !errors.Is(err, context.Canceled) {
		t.Fatalf("RemoveStaleTemp on a cancelled context: %v, want context.Canceled", err)
	}
}
