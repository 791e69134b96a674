package spoolstorageextension

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
)

// Upgrading from contrib file_storage: a queue that file_storage kept in the same directory is
// imported into the spool log once, when its client is first opened, so acknowledged requests
// still waiting there are not lost by the switch.

const (
	// migratedSuffix is appended to an imported file_storage file's name.
	migratedSuffix = ".migrated"
	// fileStorageLockWait: how long to wait for a file_storage file's lock before deciding that a
	// running file_storage holds it.
	fileStorageLockWait = time.Second
)

// fileStorageBucket is the bbolt bucket file_storage keeps a client's keys in (defaultBucket in
// its client.go).
var fileStorageBucket = []byte("default")

// fileStorageFilePath is where file_storage keeps the bbolt file of the client named raw in dir:
// the sanitised name, or, when the file system refuses a name that long, the SHA-256 of the
// sanitised name (file_storage's GetClient does the same on ENAMETOOLONG).
func fileStorageFilePath(dir, raw string) (string, error) {
	sanitized := sanitizeFileName(raw)
	path := filepath.Join(dir, sanitized)
	if _, err := os.Stat(path); errors.Is(err, syscall.ENAMETOOLONG) {
		sum := sha256.Sum256([]byte(sanitized))
		return filepath.Join(dir, hex.EncodeToString(sum[:])), nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("spool_storage: checking for a file_storage file to import at %s: %w", path, err)
	}
	return path, nil
}

// importFileStorage copies the file_storage file at path, if there is one, into the log c as one
// record, makes that durable and then renames the file to path+migratedSuffix, so the import
// happens once. A file that cannot be read fails the import: its data is never skipped silently.
func (s *spoolStorage) importFileStorage(ctx context.Context, c *logClient, path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("spool_storage: checking for a file_storage file to import at %s: %w", path, err)
	}
	keys := 0
	// A zero-length file is one file_storage created but never initialised: it holds nothing.
	if info.Size() > 0 {
		if keys, err = importBbolt(ctx, c, path); err != nil {
			return err
		}
	}
	// The imported record, and the log's own directory entry, must be on disk before the file
	// they came from is renamed away, whatever the fsync setting.
	if err := c.syncNow(); err != nil {
		return fmt.Errorf("spool_storage: syncing %s after importing %s: %w", c.path, path, err)
	}
	dir := filepath.Dir(path)
	if err := filestore.SyncDir(dir); err != nil {
		return fmt.Errorf("spool_storage: syncing %s after importing %s: %w", dir, path, err)
	}
	if err := os.Rename(path, path+migratedSuffix); err != nil {
		return fmt.Errorf("spool_storage: renaming the imported file_storage file %s: %w", path, err)
	}
	// Durable before the queue writes to the log: else a power loss could bring the file back
	// under its old name and have it imported again over a queue that has moved on.
	if err := filestore.SyncDir(dir); err != nil {
		return fmt.Errorf("spool_storage: syncing %s after renaming %s: %w", dir, path, err)
	}
	s.logger.Info("imported the queue a file_storage file held; the renamed file can be deleted once the queue has drained",
		zap.String("file", path), zap.String("renamed_to", path+migratedSuffix),
		zap.String("log", c.path), zap.Int("keys_imported", keys))
	return nil
}

// importBbolt writes every key and value of the file_storage file at path into c as one batch
// and returns how many there were.
//
// Importing again after a crash between the import and the rename is idempotent: the log then
// holds exactly the file's keys with the same values (the queue has not run since, as GetClient
// failed or never returned), and the batch's Sets overwrite them with those same values. A log
// holding anything else is a second queue, which the import refuses to merge into.
func importBbolt(ctx context.Context, c *logClient, path string) (keys int, err error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: fileStorageLockWait})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return 0, fmt.Errorf("spool_storage: the file_storage file %s is locked by another process "+
			"(a collector still running file_storage on this directory?); stop it, then start again to import its queue", path)
	}
	if err != nil {
		return 0, unreadableFileStorage(path, err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	// bbolt reads a damaged file through its memory map: turn a stray read into a panic, and the
	// panic into an error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = unreadableFileStorage(path, fmt.Errorf("reading it failed: %v", r))
		}
	}()
	err = db.View(func(tx *bbolt.Tx) error {
		bucket := tx.Bucket(fileStorageBucket)
		if bucket == nil {
			return unreadableFileStorage(path, fmt.Errorf("it has no %q bucket, so file_storage did not write it", fileStorageBucket))
		}
		var ops []*storage.Operation
		if err := bucket.ForEach(func(k, v []byte) error {
			if v == nil {
				return unreadableFileStorage(path, errors.New("it holds a nested bucket, so file_storage did not write it"))
			}
			// k and v lie in bbolt's memory map, valid during this transaction; Batch copies them.
			ops = append(ops, storage.SetOperation(string(k), v))
			return nil
		}); err != nil {
			return err
		}
		if err := c.holdsNothingBut(ops); err != nil {
			return fmt.Errorf("spool_storage: cannot import the file_storage file %s: %w", path, err)
		}
		keys = len(ops)
		if err := c.Batch(ctx, ops...); err != nil {
			return fmt.Errorf("spool_storage: importing the file_storage file %s into %s: %w", path, c.path, err)
		}
		return nil
	})
	return keys, err
}

func unreadableFileStorage(path string, err error) error {
	return fmt.Errorf("spool_storage: cannot read the file_storage file %s to import the queue it holds (%w); "+
		"nothing was imported and the file is untouched. Restore it from a backup, or run the collector with "+
		"file_storage until its queue has drained, or move the file out of the directory to give up what it holds", path, err)
}

// holdsNothingBut returns an error unless the log is empty or holds exactly the Sets of ops (the
// state an import interrupted before its rename leaves).
func (c *logClient) holdsNothingBut(ops []*storage.Operation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.index) == 0 {
		return nil
	}
	same := len(c.index) == len(ops)
	for i := 0; same && i < len(ops); i++ {
		if _, ok := c.index[ops[i].Key]; !ok {
			same = false
			break
		}
		stored, err := c.read(ops[i].Key)
		if err != nil {
			return err
		}
		same = bytes.Equal(stored, ops[i].Value)
	}
	if !same {
		return fmt.Errorf("the log %s already holds a different queue, and merging two queues would corrupt both; "+
			"let one drain first (run the collector with file_storage until its queue is empty, then delete that file)", c.path)
	}
	return nil
}

// syncNow makes what was written to the log durable, whatever the fsync setting.
func (c *logClient) syncNow() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errClientClosed
	}
	return c.file.SyncData()
}
