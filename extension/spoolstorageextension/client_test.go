package spoolstorageextension

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/agentaudit/otelcol-agentaudit/extension/spoolstorageextension/internal/metadata"
)

const noCompaction = 1 << 40

func openTestLog(t *testing.T, path string, minCompactBytes int64) *logClient {
	t.Helper()
	c, err := openLog(zap.NewNop(), path, false, minCompactBytes)
	require.NoError(t, err)
	return c
}

func closeLog(t *testing.T, c *logClient) {
	t.Helper()
	require.NoError(t, c.Close(context.Background()))
}

// contents reads every live key back through Get.
func contents(t *testing.T, c *logClient) map[string]string {
	t.Helper()
	c.mu.Lock()
	keys := make([]string, 0, len(c.index))
	for k := range c.index {
		keys = append(keys, k)
	}
	c.mu.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		v, err := c.Get(context.Background(), k)
		require.NoError(t, err)
		out[k] = string(v)
	}
	return out
}

func value(key string, n int) []byte {
	return bytes.Repeat([]byte(key+";"), n/(len(key)+1)+1)[:n]
}

func TestSetGetDeleteRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := openTestLog(t, filepath.Join(t.TempDir(), "log"), noCompaction)
	defer closeLog(t, c)

	got, err := c.Get(ctx, "missing")
	require.NoError(t, err)
	assert.Nil(t, got, "a missing key reads as nil without error")

	big := value("big", 300<<10)
	require.NoError(t, c.Set(ctx, "big", big))
	require.NoError(t, c.Set(ctx, "empty", []byte{}))
	require.NoError(t, c.Set(ctx, "k", []byte("one")))
	require.NoError(t, c.Set(ctx, "k", []byte("two")))

	got, err = c.Get(ctx, "big")
	require.NoError(t, err)
	assert.Equal(t, big, got)
	got, err = c.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, "two", string(got), "the last Set wins")
	got, err = c.Get(ctx, "empty")
	require.NoError(t, err)
	assert.NotNil(t, got, "an empty value is present, unlike a missing one")
	assert.Empty(t, got)

	require.NoError(t, c.Delete(ctx, "k"))
	require.NoError(t, c.Delete(ctx, "never-set"))
	got, err = c.Get(ctx, "k")
	require.NoError(t, err)
	assert.Nil(t, got)
}

func TestBatchAppliesOpsInOrder(t *testing.T) {
	ctx := context.Background()
	c := openTestLog(t, filepath.Join(t.TempDir(), "log"), noCompaction)
	defer closeLog(t, c)
	require.NoError(t, c.Set(ctx, "a", []byte("old")))

	getOld, setA, getNew, delA, getGone, setB, getB, getMissing :=
		storage.GetOperation("a"), storage.SetOperation("a", []byte("new")), storage.GetOperation("a"),
		storage.DeleteOperation("a"), storage.GetOperation("a"), storage.SetOperation("b", []byte("bee")),
		storage.GetOperation("b"), storage.GetOperation("nope")
	getMissing.Value = []byte("stale")
	require.NoError(t, c.Batch(ctx, getOld, setA, getNew, delA, getGone, setB, getB, getMissing))
	assert.Equal(t, "old", string(getOld.Value))
	assert.Equal(t, "new", string(getNew.Value))
	assert.Nil(t, getGone.Value)
	assert.Equal(t, "bee", string(getB.Value))
	assert.Nil(t, getMissing.Value)
	assert.Equal(t, map[string]string{"b": "bee"}, contents(t, c))

	require.ErrorContains(t, c.Batch(ctx, &storage.Operation{Key: "x", Type: storage.OpType(9)}), "wrong operation type")
}

func TestReopenKeepsState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log")
	c := openTestLog(t, path, noCompaction)
	require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", []byte("m1")), storage.SetOperation("0", value("0", 5000))))
	require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", []byte("m2")), storage.SetOperation("1", value("1", 7000))))
	require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", []byte("m3")), storage.DeleteOperation("0")))
	want := contents(t, c)
	closeLog(t, c)

	c = openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	assert.Equal(t, want, contents(t, c))
	assert.Equal(t, map[string]string{"meta": "m3", "1": string(value("1", 7000))}, want)
	require.NoError(t, c.Set(ctx, "after", []byte("x")))
}

// writeHistory writes a few batches, then a last one, and returns the log's bytes and state
// before and after that last batch.
func writeHistory(t *testing.T, path string) (before map[string]string, sizeBefore int64, after []byte) {
	t.Helper()
	ctx := context.Background()
	c := openTestLog(t, path, noCompaction)
	for i := range 4 {
		require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", fmt.Appendf(nil, "m%d", i)),
			storage.SetOperation(strconv.Itoa(i), value(strconv.Itoa(i), 100+i))))
	}
	before = contents(t, c)
	sizeBefore = c.end
	require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", []byte("last")), storage.DeleteOperation("1"),
		storage.SetOperation("2", []byte("replaced")), storage.SetOperation("4", value("4", 150))))
	closeLog(t, c)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	return before, sizeBefore, after
}

func TestCrashCutAtEveryByteOfTheLastRecordLeavesTheStateBeforeIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	before, sizeBefore, full := writeHistory(t, filepath.Join(dir, "history"))
	require.Greater(t, int64(len(full)), sizeBefore)

	path := filepath.Join(dir, "log")
	for cut := sizeBefore; cut < int64(len(full)); cut++ {
		require.NoError(t, os.WriteFile(path, full[:cut], 0o600))
		c := openTestLog(t, path, noCompaction)
		require.Equal(t, before, contents(t, c), "cut at %d", cut)
		require.Equal(t, sizeBefore, c.end, "the torn tail is dropped (cut at %d)", cut)
		require.NoError(t, c.Set(ctx, "next", []byte("write after the crash")))
		closeLog(t, c)

		c = openTestLog(t, path, noCompaction)
		got := contents(t, c)
		closeLog(t, c)
		require.Equal(t, "write after the crash", got["next"], "cut at %d", cut)
		delete(got, "next")
		require.Equal(t, before, got, "cut at %d", cut)
	}
}

func TestCRCRejectsAFlippedByteInTheLastRecord(t *testing.T) {
	dir := t.TempDir()
	before, sizeBefore, full := writeHistory(t, filepath.Join(dir, "history"))
	path := filepath.Join(dir, "log")
	// A byte of the CRC itself, the first payload byte, one in the middle and the last one.
	for _, at := range []int64{sizeBefore + 5, sizeBefore + recordHeaderSize, (sizeBefore + int64(len(full))) / 2, int64(len(full)) - 1} {
		corrupt := bytes.Clone(full)
		corrupt[at] ^= 0x40
		require.NoError(t, os.WriteFile(path, corrupt, 0o600))
		c := openTestLog(t, path, noCompaction)
		assert.Equal(t, before, contents(t, c), "flipped byte at %d", at)
		closeLog(t, c)
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, sizeBefore, info.Size(), "the rejected record is cut off (flipped byte at %d)", at)
	}
}

// A damaged record that is not the last is no crash (a crash only cuts the last record short): the
// records after it were acknowledged, so their bytes are kept beside the log, and an error is logged.
func TestADamagedRecordFollowedByMoreIsKeptAside(t *testing.T) {
	dir := t.TempDir()
	_, sizeBefore, full := writeHistory(t, filepath.Join(dir, "history"))
	path := filepath.Join(dir, "log")
	corrupt := bytes.Clone(full)
	corrupt[sizeBefore-1] ^= 0x40 // the last byte of the fourth batch's record; the fifth follows it
	require.NoError(t, os.WriteFile(path, corrupt, 0o600))

	core, logs := observer.New(zap.WarnLevel)
	c, err := openLog(zap.New(core), path, false, noCompaction)
	require.NoError(t, err)
	defer closeLog(t, c)
	assert.Equal(t, map[string]string{"meta": "m2", "0": string(value("0", 100)), "1": string(value("1", 101)), "2": string(value("2", 102))},
		contents(t, c), "reading stops before the damaged record")
	kept, err := os.ReadFile(fmt.Sprintf("%s.damaged-%d", path, c.end))
	require.NoError(t, err, "the bytes from the damaged record on are kept aside")
	assert.Equal(t, corrupt[c.end:], kept)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, c.end, info.Size(), "the log itself is cut before the damaged record")
	assert.Equal(t, 1, logs.FilterLevelExact(zap.ErrorLevel).Len(), "an error says data was kept aside")
}

func TestZerosAfterTheLastRecordAreDropped(t *testing.T) {
	dir := t.TempDir()
	before, sizeBefore, full := writeHistory(t, filepath.Join(dir, "history"))
	path := filepath.Join(dir, "log")
	// What a file system may show after a power loss: the size grew, the data never arrived.
	require.NoError(t, os.WriteFile(path, append(bytes.Clone(full[:sizeBefore]), make([]byte, 4096)...), 0o600))
	c := openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	assert.Equal(t, before, contents(t, c))
	assert.Equal(t, sizeBefore, c.end)
}

func TestAFileThatIsNotASpoolLogIsNeverTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	foreign := []byte("this is some other database's file, not ours")
	require.NoError(t, os.WriteFile(path, foreign, 0o600))
	_, err := openLog(zap.NewNop(), path, false, noCompaction)
	require.ErrorContains(t, err, "not a spool_storage log")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, foreign, got)
}

func TestATornHeaderOfANewLogIsCompleted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	require.NoError(t, os.WriteFile(path, fileMagic[:3], 0o600))
	c := openTestLog(t, path, noCompaction)
	require.NoError(t, c.Set(context.Background(), "k", []byte("v")))
	closeLog(t, c)
	c = openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	assert.Equal(t, map[string]string{"k": "v"}, contents(t, c))
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return info.Size()
}

func TestCompactionKeepsExactlyTheLiveSetShrinksTheFileAndSurvivesReopen(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) { testCompaction(t, fsync) })
	}
}

func testCompaction(t *testing.T, fsync bool) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log")
	const minCompact = 256 << 10
	c, err := openLog(zap.NewNop(), path, fsync, minCompact)
	require.NoError(t, err)
	want := map[string]string{}
	written := int64(0)
	// A queue's pattern: put, and later remove, items; a few stay behind.
	for i := range 400 {
		key := strconv.Itoa(i)
		v := value(key, 4096)
		require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", fmt.Appendf(nil, "w%d", i)), storage.SetOperation(key, v)))
		written += int64(len(v))
		want[key], want["meta"] = string(v), fmt.Sprintf("w%d", i)
		if i%40 != 0 {
			require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", fmt.Appendf(nil, "r%d", i)), storage.DeleteOperation(key)))
			delete(want, key)
			want["meta"] = fmt.Sprintf("r%d", i)
		}
	}
	assert.Equal(t, want, contents(t, c))
	size := fileSize(t, path)
	assert.Less(t, size, written/2, "compaction reclaimed the removed items' space")
	// 10 items stay live (40 KiB): the log never gets much past the compaction threshold.
	assert.Less(t, size, int64(minCompact)+16<<10)
	closeLog(t, c)

	c = openTestLog(t, path, minCompact)
	assert.Equal(t, want, contents(t, c))
	require.NoError(t, c.Set(ctx, "after", []byte("reopen")))
	closeLog(t, c)
	_, err = os.Stat(path + compactSuffix)
	assert.True(t, os.IsNotExist(err), "no compaction file is left behind")
}

func TestCompactionOnOpenAndStaleCompactionFileRemoved(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log")
	c := openTestLog(t, path, noCompaction)
	for i := range 100 {
		require.NoError(t, c.Set(ctx, "k", value(strconv.Itoa(i), 8192)))
	}
	want := contents(t, c)
	closeLog(t, c)
	grown := fileSize(t, path)
	require.NoError(t, os.WriteFile(path+compactSuffix, []byte("left by a crash mid-compaction"), 0o600))

	c = openTestLog(t, path, 64<<10)
	defer closeLog(t, c)
	assert.Equal(t, want, contents(t, c))
	assert.Less(t, fileSize(t, path), grown/50)
	_, err := os.Stat(path + compactSuffix)
	assert.True(t, os.IsNotExist(err))
}

// faultInjectingFile wraps a log file to fail writes (after writing half the record, as a full disk
// does), the truncation that undoes them, or reads.
type faultInjectingFile struct {
	logFile
	writeErr    error
	truncateErr error
	readErr     error
}

func (f *faultInjectingFile) ReadAt(p []byte, off int64) (int, error) {
	if f.readErr != nil {
		return 0, f.readErr
	}
	return f.logFile.ReadAt(p, off)
}

func (f *faultInjectingFile) WriteAt(p []byte, off int64) (int, error) {
	if f.writeErr == nil {
		return f.logFile.WriteAt(p, off)
	}
	n, err := f.logFile.WriteAt(p[:len(p)/2], off)
	if err != nil {
		return n, err
	}
	return n, f.writeErr
}

func (f *faultInjectingFile) Truncate(size int64) error {
	if f.truncateErr != nil {
		return f.truncateErr
	}
	return f.logFile.Truncate(size)
}

func TestFaultInjectingFileFailedWriteLeavesPriorStateAndTheNextWriteSucceeds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log")
	c := openTestLog(t, path, noCompaction)
	require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", []byte("m1")), storage.SetOperation("0", value("0", 1000))))
	before := contents(t, c)
	sizeBefore := fileSize(t, path)

	faulty := &faultInjectingFile{logFile: c.file, writeErr: &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}}
	c.file = faulty
	err := c.Batch(ctx, storage.SetOperation("meta", []byte("m2")), storage.SetOperation("1", value("1", 1000)))
	require.ErrorIs(t, err, storage.ErrStorageFull)
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Equal(t, before, contents(t, c), "a failed batch changes nothing")
	assert.Equal(t, sizeBefore, fileSize(t, path), "the half-written record is cut off")

	faulty.writeErr = nil // space is back
	require.NoError(t, c.Batch(ctx, storage.SetOperation("meta", []byte("m3")), storage.SetOperation("2", []byte("two"))))
	closeLog(t, c)

	c = openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	before["meta"], before["2"] = "m3", "two"
	assert.Equal(t, before, contents(t, c))
}

func TestFaultInjectingFileUndoableWriteRefusesFurtherWritesUntilReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log")
	c := openTestLog(t, path, noCompaction)
	require.NoError(t, c.Set(ctx, "k", []byte("kept")))
	c.file = &faultInjectingFile{logFile: c.file, writeErr: syscall.EIO, truncateErr: syscall.EIO}

	require.ErrorIs(t, c.Set(ctx, "k", []byte("lost")), syscall.EIO)
	err := c.Set(ctx, "other", []byte("x"))
	require.ErrorContains(t, err, "refuses writes until reopened")
	got, err := c.Get(ctx, "k")
	require.NoError(t, err, "reads still work")
	assert.Equal(t, "kept", string(got))
	closeLog(t, c)

	c = openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	assert.Equal(t, map[string]string{"k": "kept"}, contents(t, c), "reopening drops the torn record")
	require.NoError(t, c.Set(ctx, "other", []byte("x")))
}

func TestFaultInjectingFileFailedReadStillAppliesTheBatchsStoredWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log")
	c := openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	require.NoError(t, c.Set(ctx, "item", []byte("queued")))
	faulty := &faultInjectingFile{logFile: c.file, readErr: syscall.EIO}
	c.file = faulty

	get := storage.GetOperation("item")
	err := c.Batch(ctx, storage.SetOperation("meta", []byte("m1")), get, storage.DeleteOperation("item"), storage.SetOperation("meta", []byte("m2")))
	require.ErrorIs(t, err, syscall.EIO)
	faulty.readErr = nil
	assert.Equal(t, map[string]string{"meta": "m2"}, contents(t, c), "the stored record's writes are all in the index")
}

func TestClosedClientRefusesOps(t *testing.T) {
	c := openTestLog(t, filepath.Join(t.TempDir(), "log"), noCompaction)
	closeLog(t, c)
	require.ErrorIs(t, c.Set(context.Background(), "k", nil), errClientClosed)
	_, err := c.Get(context.Background(), "k")
	require.ErrorIs(t, err, errClientClosed)
	require.NoError(t, c.Close(context.Background()), "closing twice is harmless")
}

func TestASecondOpenOfTheSameLogIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	c := openTestLog(t, path, noCompaction)
	defer closeLog(t, c)
	_, err := openLog(zap.NewNop(), path, false, noCompaction)
	require.ErrorContains(t, err, "in use by another process")
}

func startExtension(t *testing.T, cfg *Config) *spoolStorage {
	t.Helper()
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), nil))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return ext.(*spoolStorage)
}

func TestExtensionNamesLogsLikeFileStorageAndKeepsOneClientPerName(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "created", "queue")
	ext := startExtension(t, &Config{Directory: dir, CreateDirectory: true, FSync: true, Compaction: CompactionConfig{MinFileMiB: 1}})
	id := component.MustNewIDWithName("agentaudit", "a/b")
	c, err := ext.GetClient(ctx, component.KindExporter, id, "traces")
	require.NoError(t, err)
	require.NoError(t, c.Set(ctx, "k", []byte("v")))
	_, err = os.Stat(filepath.Join(dir, "exporter_agentaudit_a~002Fb_traces.spool"))
	require.NoError(t, err)

	_, err = ext.GetClient(ctx, component.KindExporter, id, "traces")
	require.ErrorContains(t, err, "already open")
	require.NoError(t, c.Close(ctx))
	c, err = ext.GetClient(ctx, component.KindExporter, id, "traces")
	require.NoError(t, err, "a closed client's log can be opened again")
	got, err := c.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, "v", string(got))
	// Left open: the extension's Shutdown closes it.

	long := logFileName(strings.Repeat("x", 300))
	assert.Len(t, long, 64+len(logSuffix), "an over-long name becomes a hash")
}

func TestConcurrentClientsAndOps(t *testing.T) {
	ctx := context.Background()
	ext := startExtension(t, &Config{Directory: t.TempDir(), Compaction: CompactionConfig{MinFileMiB: 1}})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for n := range 3 {
		c, err := ext.GetClient(ctx, component.KindExporter, component.MustNewID("agentaudit"), fmt.Sprint("signal", n))
		require.NoError(t, err)
		for w := range 4 {
			wg.Go(func() {
				for i := range 150 {
					key := fmt.Sprintf("w%d-%d", w, i)
					v := value(key, 2000+i)
					if err := c.Batch(ctx, storage.SetOperation("meta", []byte(key)), storage.SetOperation(key, v)); err != nil {
						errs <- err
						return
					}
					get := storage.GetOperation(key)
					if err := c.Batch(ctx, storage.SetOperation("meta", []byte(key)), get); err != nil {
						errs <- err
						return
					}
					if !bytes.Equal(get.Value, v) {
						errs <- fmt.Errorf("%s read back wrong", key)
						return
					}
					if i%3 != 0 {
						if err := c.Delete(ctx, key); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, ext.Shutdown(ctx))

	// Every client's survivors are there after a reopen.
	ext = startExtension(t, &Config{Directory: ext.cfg.Directory, Compaction: CompactionConfig{MinFileMiB: 1}})
	for n := range 3 {
		c, err := ext.GetClient(ctx, component.KindExporter, component.MustNewID("agentaudit"), fmt.Sprint("signal", n))
		require.NoError(t, err)
		got := contents(t, c.(*logClient))
		assert.Len(t, got, 4*50+1, "client %d", n)
		assert.Equal(t, string(value("w2-3", 2003)), got["w2-3"])
	}
}
