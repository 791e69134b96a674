package spoolstorageextension

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.etcd.io/bbolt"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

var queueClientID = component.MustNewID("agentaudit")

// newFileStorage makes contrib's file_storage extension on dir, as a shipped config used it.
func newFileStorage(t *testing.T, dir string) extension.Extension {
	t.Helper()
	factory := filestorage.NewFactory()
	cfg := factory.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory, cfg.Compaction.Directory = dir, dir
	ext, err := factory.Create(context.Background(), extensiontest.NewNopSettings(factory.Type()), cfg)
	require.NoError(t, err)
	return ext
}

// fillFileStorage writes entries into file_storage's client (kind, id, name) in dir and closes it.
func fillFileStorage(t *testing.T, dir string, kind component.Kind, id component.ID, name string, entries map[string]string) {
	t.Helper()
	ctx := context.Background()
	ext := newFileStorage(t, dir)
	require.NoError(t, ext.Start(ctx, nil))
	client, err := ext.(storage.Extension).GetClient(ctx, kind, id, name)
	require.NoError(t, err)
	for k, v := range entries {
		require.NoError(t, client.Set(ctx, k, []byte(v)))
	}
	require.NoError(t, client.Close(ctx))
	require.NoError(t, ext.Shutdown(ctx))
}

// readBbolt reads every key and value of file_storage's bucket in the bbolt file at path.
func readBbolt(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	out := map[string]string{}
	require.NoError(t, db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("default")).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	}))
	return out
}

func newTestSpool(dir string, logger *zap.Logger) *spoolStorage {
	return newSpoolStorage(logger, &Config{Directory: dir, Compaction: CompactionConfig{MinFileMiB: 64}})
}

// importLogs observes spool_storage's info logs.
func importLogs() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.InfoLevel)
	return zap.New(core), logs
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFileStorageFilePathIsTheFileFileStorageCreates(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		kind component.Kind
		id   component.ID
		name string
	}{
		{component.KindExporter, queueClientID, "traces"},
		{component.KindExporter, component.MustNewIDWithName("agentaudit", "s3"), "logs"},
		{component.KindReceiver, component.MustNewID("filelog"), ""},
		{component.KindProcessor, component.MustNewIDWithName("batch", "x"), "a/b~c ü"},
		{component.KindExtension, component.MustNewID("headers_setter"), "n"},
		{component.KindConnector, component.MustNewID("forward"), "n"},
		{component.KindExporter, queueClientID, strings.Repeat("long", 70)}, // file_storage falls back to a hash
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s_%s_%.20s", tc.kind, tc.id, tc.name), func(t *testing.T) {
			dir := t.TempDir()
			ext := newFileStorage(t, dir)
			require.NoError(t, ext.Start(ctx, nil))
			client, err := ext.(storage.Extension).GetClient(ctx, tc.kind, tc.id, tc.name)
			require.NoError(t, err)
			require.NoError(t, client.Close(ctx))
			require.NoError(t, ext.Shutdown(ctx))
			created := dirNames(t, dir)
			require.Len(t, created, 1)

			path, err := fileStorageFilePath(dir, clientName(tc.kind, tc.id, tc.name))
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, created[0]), path)
		})
	}
}

func TestUpgradeFromFileStorageDeliversEveryQueuedRequestExactlyOnce(t *testing.T) {
	for _, crashBeforeRename := range []bool{false, true} {
		t.Run(fmt.Sprintf("crash_between_import_and_rename=%v", crashBeforeRename), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			const requests, payload = 30, 32 << 10

			// A collector on file_storage acknowledges 30 requests while its store is down, then stops.
			old := &deliveries{count: map[string]int{}, accept: 0}
			fileStorage := newFileStorage(t, dir)
			exp, err := newQueuedExporterOn(component.MustNewID("file_storage"), fileStorage, old)
			require.NoError(t, err)
			for i := range requests {
				require.NoError(t, exp.ConsumeTraces(ctx, namedRequest(fmt.Sprintf("req-%02d", i), payload)))
			}
			require.Eventually(t, func() bool {
				_, failures := old.snapshot()
				return failures > 0
			}, 30*time.Second, time.Millisecond, "the old collector tries to export")
			require.NoError(t, exp.Shutdown(ctx))
			require.NoError(t, fileStorage.Shutdown(ctx))
			delivered, _ := old.snapshot()
			assert.Zero(t, delivered)

			bboltPath, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
			require.NoError(t, err)
			queued := readBbolt(t, bboltPath)
			require.Greater(t, len(queued), requests, "the file_storage queue holds every request and its metadata")

			if crashBeforeRename {
				// The import reached the log, the rename did not: the bbolt file is back in place.
				original, err := os.ReadFile(bboltPath)
				require.NoError(t, err)
				spool := newTestSpool(dir, zap.NewNop())
				client, err := spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
				require.NoError(t, err)
				assert.Equal(t, queued, contents(t, client.(*logClient)))
				require.NoError(t, client.Close(ctx))
				require.NoError(t, os.Remove(bboltPath+migratedSuffix))
				require.NoError(t, os.WriteFile(bboltPath, original, 0o600))
			}

			// The upgraded collector, on spool_storage in the same directory, with the store back.
			logger, logs := importLogs()
			spool := newTestSpool(dir, logger)
			d := &deliveries{count: map[string]int{}, accept: 1 << 30}
			exp, err = newQueuedExporterOn(component.MustNewID("spool_storage"), spool, d)
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				total, _ := d.snapshot()
				return total >= requests
			}, 30*time.Second, time.Millisecond, "the upgraded collector delivers the old queue")
			require.NoError(t, exp.Shutdown(ctx))
			require.NoError(t, spool.Shutdown(ctx))

			d.mu.Lock()
			for i := range requests {
				name := fmt.Sprintf("req-%02d", i)
				assert.Equal(t, 1, d.count[name], "%s delivered exactly once", name)
			}
			assert.Len(t, d.count, requests, "nothing else was delivered")
			d.mu.Unlock()

			assert.NoFileExists(t, bboltPath)
			assert.Equal(t, queued, readBbolt(t, bboltPath+migratedSuffix), "the renamed file is left as it was")
			imported := logs.FilterMessageSnippet("imported the queue a file_storage file held").All()
			require.Len(t, imported, 1)
			fields := imported[0].ContextMap()
			assert.Equal(t, bboltPath, fields["file"])
			assert.Equal(t, int64(len(queued)), fields["keys_imported"])
			for _, v := range fields {
				assert.NotContains(t, fmt.Sprint(v), "req-", "no key or value is logged")
			}
		})
	}
}

func TestImportIsOneRecordAndHappensOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	entries := map[string]string{"qmv0": "metadata", "0": strings.Repeat("a", 10000), "1": "", "7": "seven"}
	fillFileStorage(t, dir, component.KindExporter, queueClientID, "logs", entries)
	bboltPath, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "logs"))
	require.NoError(t, err)

	spool := newTestSpool(dir, zap.NewNop())
	client, err := spool.GetClient(ctx, component.KindExporter, queueClientID, "logs")
	require.NoError(t, err)
	c := client.(*logClient)
	assert.Equal(t, entries, contents(t, c))
	// One record: the magic, one header, and one op per key.
	want := int64(len(fileMagic) + recordHeaderSize)
	for k, v := range entries {
		want += entrySize(k, int64(len(v)))
	}
	assert.Equal(t, want, c.end, "the import is one record")
	require.NoError(t, c.Delete(ctx, "0"))
	require.NoError(t, client.Close(ctx))
	assert.NoFileExists(t, bboltPath)
	assert.FileExists(t, bboltPath+migratedSuffix)

	// Reopening does not import the renamed file again.
	client, err = spool.GetClient(ctx, component.KindExporter, queueClientID, "logs")
	require.NoError(t, err)
	got := contents(t, client.(*logClient))
	assert.NotContains(t, got, "0", "the deleted key stays deleted")
	assert.Len(t, got, len(entries)-1)
	require.NoError(t, client.Close(ctx))
}

func TestImportRefusesALogHoldingADifferentQueue(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	entries := map[string]string{"qmv0": "metadata", "0": "zero"}
	fillFileStorage(t, dir, component.KindExporter, queueClientID, "traces", entries)
	bboltPath, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
	require.NoError(t, err)
	original, err := os.ReadFile(bboltPath)
	require.NoError(t, err)

	spool := newTestSpool(dir, zap.NewNop())
	client, err := spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.NoError(t, err)
	require.NoError(t, client.Set(ctx, "qmv0", []byte("moved on")))
	require.NoError(t, client.Close(ctx))
	// A file_storage file shows up again beside a queue that has moved on.
	require.NoError(t, os.WriteFile(bboltPath, original, 0o600))

	_, err = spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.Error(t, err)
	assert.ErrorContains(t, err, bboltPath)
	assert.ErrorContains(t, err, "already holds a different queue")
	assert.Equal(t, entries, readBbolt(t, bboltPath), "the file_storage file is left in place")

	// Its log is closed again: once the file is moved away, the client opens with its own queue.
	require.NoError(t, os.Rename(bboltPath, filepath.Join(t.TempDir(), "aside")))
	client, err = spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"qmv0": "moved on", "0": "zero"}, contents(t, client.(*logClient)))
	require.NoError(t, client.Close(ctx))
}

func TestUnreadableFileStorageFileFailsGetClientAndIsLeftAlone(t *testing.T) {
	ctx := context.Background()
	realFile := func(t *testing.T, dir string) string {
		fillFileStorage(t, dir, component.KindExporter, queueClientID, "traces", map[string]string{"qmv0": "m", "0": "zero"})
		path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
		require.NoError(t, err)
		return path
	}
	cases := map[string]func(t *testing.T, dir string){
		"not bbolt": func(t *testing.T, dir string) {
			path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("not a bbolt file\n", 1000)), 0o600))
		},
		"meta pages overwritten": func(t *testing.T, dir string) {
			path := realFile(t, dir)
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			_, err = f.WriteAt([]byte(strings.Repeat("\xff", 2*4096)), 0)
			require.NoError(t, err)
			require.NoError(t, f.Close())
		},
		"data pages overwritten": func(t *testing.T, dir string) {
			path := realFile(t, dir)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for i := 2 * 4096; i < len(data); i++ {
				data[i] = 0xa5
			}
			require.NoError(t, os.WriteFile(path, data, 0o600))
		},
		"bbolt without file_storage's bucket": func(t *testing.T, dir string) {
			path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
			require.NoError(t, err)
			db, err := bbolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
				b, err := tx.CreateBucket([]byte("other"))
				if err != nil {
					return err
				}
				return b.Put([]byte("k"), []byte("v"))
			}))
			require.NoError(t, db.Close())
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			damage(t, dir)
			path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
			require.NoError(t, err)
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			spool := newTestSpool(dir, zap.NewNop())
			_, err = spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
			require.Error(t, err)
			t.Log(err)
			assert.ErrorContains(t, err, "cannot read the file_storage file "+path)
			assert.ErrorContains(t, err, "nothing was imported")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the file is untouched")
			assert.NoFileExists(t, path+migratedSuffix)
			require.NoError(t, spool.Shutdown(ctx))
		})
	}
}

func TestFileStorageFileInUseFailsGetClient(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fileStorage := newFileStorage(t, dir)
	require.NoError(t, fileStorage.Start(ctx, nil))
	running, err := fileStorage.(storage.Extension).GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.NoError(t, err)
	require.NoError(t, running.Set(ctx, "0", []byte("queued")))
	path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
	require.NoError(t, err)

	spool := newTestSpool(dir, zap.NewNop())
	_, err = spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.Error(t, err)
	assert.ErrorContains(t, err, "the file_storage file "+path+" is locked by another process")
	assert.FileExists(t, path)

	// Once file_storage has let go, the import goes through.
	require.NoError(t, running.Close(ctx))
	require.NoError(t, fileStorage.Shutdown(ctx))
	client, err := spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"0": "queued"}, contents(t, client.(*logClient)))
	require.NoError(t, client.Close(ctx))
}

func TestNoFileStorageFileMeansNoImport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// Another client's file_storage file is not this client's to import.
	fillFileStorage(t, dir, component.KindExporter, queueClientID, "logs", map[string]string{"0": "zero"})
	logger, logs := importLogs()
	spool := newTestSpool(dir, logger)
	client, err := spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.NoError(t, err)
	assert.Empty(t, contents(t, client.(*logClient)))
	require.NoError(t, client.Close(ctx))
	assert.ElementsMatch(t, []string{"exporter_agentaudit__logs", "exporter_agentaudit__traces.spool"}, dirNames(t, dir))
	assert.Zero(t, logs.Len(), "nothing to report")
}

func TestEmptyFileStorageFileIsRenamedWithNothingImported(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, nil, 0o600)) // file_storage died while creating it
	logger, logs := importLogs()
	spool := newTestSpool(dir, logger)
	client, err := spool.GetClient(ctx, component.KindExporter, queueClientID, "traces")
	require.NoError(t, err)
	assert.Empty(t, contents(t, client.(*logClient)))
	require.NoError(t, client.Close(ctx))
	assert.FileExists(t, path+migratedSuffix)
	require.Equal(t, 1, logs.Len())
	assert.Equal(t, int64(0), logs.All()[0].ContextMap()["keys_imported"])
}

// syncObservingFile records, at each SyncData, whether the file_storage file was still in place.
type syncObservingFile struct {
	logFile
	fileStoragePath   string
	syncsBeforeRename int
}

func (f *syncObservingFile) SyncData() error {
	if _, err := os.Stat(f.fileStoragePath); err == nil {
		f.syncsBeforeRename++
	}
	return f.logFile.SyncData()
}

func TestImportIsSyncedBeforeTheRenameEvenWithFsyncOff(t *testing.T) {
	dir := t.TempDir()
	fillFileStorage(t, dir, component.KindExporter, queueClientID, "traces", map[string]string{"0": "zero"})
	path, err := fileStorageFilePath(dir, clientName(component.KindExporter, queueClientID, "traces"))
	require.NoError(t, err)
	spool := newTestSpool(dir, zap.NewNop())
	require.False(t, spool.cfg.FSync)
	c, err := openLog(zap.NewNop(), filepath.Join(dir, logFileName(clientName(component.KindExporter, queueClientID, "traces"))), false, noCompaction)
	require.NoError(t, err)
	observed := &syncObservingFile{logFile: c.file, fileStoragePath: path}
	c.file = observed

	require.NoError(t, spool.importFileStorage(context.Background(), c, path))
	assert.Equal(t, 1, observed.syncsBeforeRename, "the imported record is synced while the file_storage file is still there")
	assert.FileExists(t, path+migratedSuffix)
	assert.Equal(t, map[string]string{"0": "zero"}, contents(t, c))
	closeLog(t, c)
}
