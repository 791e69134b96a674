package spoolstorageextension

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
)

const (
	compactSuffix = ".compact"
	// compactChunkBytes bounds the values gathered into one record while compacting.
	compactChunkBytes = 1 << 20
	// maxRetainedBuffer: a larger encode buffer is dropped after use rather than kept per client.
	maxRetainedBuffer = 4 << 20
)

var errClientClosed = errors.New("spool_storage: client is closed")

// valueRef says where a live value lies in the log.
type valueRef struct {
	offset int64
	length int64
}

// logClient is a storage.Client over one append-only log file. Every method holds mu: the queue's
// batches all write, so there is nothing to gain from a read lock.
type logClient struct {
	logger          *zap.Logger
	path            string
	fsync           bool
	minCompactBytes int64
	onClose         func()

	mu        sync.Mutex
	file      logFile
	end       int64 // where the next record goes: the end of the last good record
	index     map[string]valueRef
	liveBytes int64 // sum of entrySize over index
	buf       []byte
	// broken is set when a failed write could not be undone: the log may hold a torn record that
	// a further append would bury, so the client refuses writes until it is reopened (which
	// truncates the torn tail).
	broken error
	closed bool
	// compactRetryAt: after a failed compaction the next attempt waits until the log reaches this size.
	compactRetryAt int64
}

var _ storage.Client = (*logClient)(nil)

// openLog opens (creating if missing) the log at path, drops a torn tail and rebuilds the index.
func openLog(logger *zap.Logger, path string, fsync bool, minCompactBytes int64) (*logClient, error) {
	_, statErr := os.Stat(path)
	created := os.IsNotExist(statErr)
	f, err := openLocked(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	// Only once the log is ours: a compaction file is then a dead process's leftover.
	if err := os.Remove(path + compactSuffix); err != nil && !os.IsNotExist(err) {
		_ = f.Close()
		return nil, fmt.Errorf("removing a stale compaction file: %w", err)
	}
	c := &logClient{
		logger: logger, path: path, fsync: fsync, minCompactBytes: minCompactBytes,
		file: f, index: map[string]valueRef{},
	}
	if err := c.load(f.File, created); err != nil {
		_ = f.Close()
		return nil, err
	}
	c.maybeCompact()
	return c, nil
}

// load checks the file's magic (writing it to a new file), applies every complete record with a good
// CRC and truncates the file after the last one.
func (c *logClient) load(f *os.File, created bool) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	head := make([]byte, min(size, int64(len(fileMagic))))
	if _, err := f.ReadAt(head, 0); err != nil {
		return err
	}
	if !bytes.HasPrefix(fileMagic, head) {
		return fmt.Errorf("%s is not a spool_storage log (unexpected header); refusing to modify it", c.path)
	}
	if size < int64(len(fileMagic)) { // new, or its creation was cut short
		if err := c.writeMagic(f, created); err != nil {
			return err
		}
		c.end = int64(len(fileMagic))
		return nil
	}
	var damagedBefore int64
	c.end, damagedBefore, err = c.scan(f, size)
	if err != nil {
		return err
	}
	if damagedBefore > 0 {
		// Not a write cut short: a whole record is damaged and more follow it, so what follows was
		// acknowledged. Keep those bytes beside the log before cutting them off.
		kept, err := c.keepDamagedTail(f, size)
		if err != nil {
			return fmt.Errorf("%s: a damaged record at byte %d is followed by %d more bytes that could not be kept aside: %w",
				c.path, c.end, size-c.end, err)
		}
		c.logger.Error("the queue log has a damaged record followed by more data: reading stops there; the bytes after it are kept aside",
			zap.String("file", c.path), zap.Int64("valid_bytes", c.end), zap.Int64("kept_bytes", size-c.end), zap.String("kept_in", kept))
	}
	if c.end < size {
		c.logger.Warn("dropping an incomplete or corrupt tail of the queue log (a write cut short by a crash)",
			zap.String("file", c.path), zap.Int64("valid_bytes", c.end), zap.Int64("dropped_bytes", size-c.end))
		if err := c.file.Truncate(c.end); err != nil {
			return err
		}
		if c.fsync {
			return c.file.SyncData()
		}
	}
	return nil
}

func (c *logClient) writeMagic(f *os.File, created bool) error {
	if _, err := f.WriteAt(fileMagic, 0); err != nil {
		return err
	}
	if !c.fsync {
		return nil
	}
	if err := c.file.SyncData(); err != nil {
		return err
	}
	if created {
		return filestore.SyncDir(filepath.Dir(c.path))
	}
	return nil
}

// keepDamagedTail copies the log from c.end on to a new file beside it and returns its path.
func (c *logClient) keepDamagedTail(f *os.File, size int64) (string, error) {
	kept := fmt.Sprintf("%s.damaged-%d", c.path, c.end)
	out, err := os.OpenFile(kept, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: beside the log, in the configured directory
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, io.NewSectionReader(f, c.end, size-c.end))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = filestore.SyncDir(filepath.Dir(c.path))
	}
	return kept, err
}

// scan applies the records from the magic on and returns where the last good one ends. damaged is
// non-zero when reading stopped at a complete record that fails its check while more bytes follow
// it: not a write cut short by a crash (which only ever leaves the last record incomplete).
func (c *logClient) scan(f *os.File, size int64) (end, damaged int64, err error) {
	off := int64(len(fileMagic))
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, size-off), 1<<20)
	var header [recordHeaderSize]byte
	var payload []byte
	var ops []decodedOp
	for {
		if _, err := io.ReadFull(r, header[:]); err != nil {
			return off, 0, nil // end of file, or a torn header
		}
		n := int64(binary.LittleEndian.Uint32(header[0:4]))
		if n == 0 || n > size-off-recordHeaderSize {
			// Torn payload; or zeros, which a file system may leave past the data after a power
			// loss (an empty payload's CRC-32C is 0) and which no write ever produces.
			return off, 0, nil
		}
		payload = slices.Grow(payload[:0], int(n))[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return off, 0, err
		}
		next := off + recordHeaderSize + n
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(header[4:8]) {
			return off, damagedIfFollowed(off, next, size), nil
		}
		var err error
		if ops, err = decodePayload(payload, ops); err != nil {
			return off, damagedIfFollowed(off, next, size), nil
		}
		c.apply(ops, off+recordHeaderSize)
		off += recordHeaderSize + n
	}
}

// damagedIfFollowed is the damaged record's offset when more bytes follow it, else 0.
func damagedIfFollowed(off, next, size int64) int64 {
	if next < size {
		return off
	}
	return 0
}

// apply records a stored record's writes in the index; base is where its payload starts.
func (c *logClient) apply(ops []decodedOp, base int64) {
	for _, d := range ops {
		if d.op == opSet {
			c.setRef(d.key, valueRef{offset: base + d.valueAt, length: d.valueLen})
		} else {
			c.deleteRef(d.key)
		}
	}
}

func (c *logClient) setRef(key string, ref valueRef) {
	c.deleteRef(key)
	c.index[key] = ref
	c.liveBytes += entrySize(key, ref.length)
}

func (c *logClient) deleteRef(key string) {
	if old, ok := c.index[key]; ok {
		c.liveBytes -= entrySize(key, old.length)
		delete(c.index, key)
	}
}

// Get returns the value of key, or nil if there is none.
func (c *logClient) Get(ctx context.Context, key string) ([]byte, error) {
	op := storage.GetOperation(key)
	if err := c.Batch(ctx, op); err != nil {
		return nil, err
	}
	return op.Value, nil
}

// Set stores value under key.
func (c *logClient) Set(ctx context.Context, key string, value []byte) error {
	return c.Batch(ctx, storage.SetOperation(key, value))
}

// Delete removes key (a missing key is no error).
func (c *logClient) Delete(ctx context.Context, key string) error {
	return c.Batch(ctx, storage.DeleteOperation(key))
}

// Batch writes the batch's Sets and Deletes as one record, then applies the ops in order, so a Get
// sees the batch's earlier writes.
func (c *logClient) Batch(_ context.Context, ops ...*storage.Operation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errClientClosed
	}
	record, valueAt, err := encodeRecord(c.buf, ops)
	defer c.keepBuffer(record)
	if err != nil {
		return err
	}
	start := c.end
	if len(record) > 0 {
		if err := c.append(record); err != nil {
			return err
		}
	}
	// The record is stored: every write goes into the index even if a Get fails to read, so the
	// index never disagrees with the log.
	var readErr error
	for i, op := range ops {
		switch op.Type {
		case storage.Set:
			c.setRef(op.Key, valueRef{offset: start + int64(valueAt[i]), length: int64(len(op.Value))})
		case storage.Delete:
			c.deleteRef(op.Key)
		case storage.Get:
			if readErr == nil {
				op.Value, readErr = c.read(op.Key)
			}
		}
	}
	if len(record) > 0 {
		c.maybeCompact()
	}
	return readErr
}

func (c *logClient) keepBuffer(buf []byte) {
	if cap(buf) <= maxRetainedBuffer {
		c.buf = buf[:0]
	} else {
		c.buf = nil
	}
}

func (c *logClient) read(key string) ([]byte, error) {
	ref, ok := c.index[key]
	if !ok {
		return nil, nil
	}
	value := make([]byte, ref.length)
	if _, err := c.file.ReadAt(value, ref.offset); err != nil {
		return nil, fmt.Errorf("spool_storage: reading %s: %w", c.path, err)
	}
	return value, nil
}

// append writes record at the end of the log. On failure it cuts the log back to where it was, so
// no torn record is left in front of later ones, and returns the error (a retryable one for the
// queue; storage.ErrStorageFull when the disk is full).
func (c *logClient) append(record []byte) error {
	if c.broken != nil {
		return c.broken
	}
	start := c.end
	_, err := c.file.WriteAt(record, start)
	if err == nil && c.fsync {
		err = c.file.SyncData()
	}
	if err == nil {
		c.end = start + int64(len(record))
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) {
		err = fmt.Errorf("%w: %w", storage.ErrStorageFull, err)
	}
	if terr := c.file.Truncate(start); terr != nil {
		c.broken = fmt.Errorf("spool_storage: %s refuses writes until reopened: a failed write (%w) could not be cut back (%w)", c.path, err, terr)
		c.logger.Error("queue log write failed and could not be undone; refusing further writes until restart",
			zap.String("file", c.path), zap.Error(c.broken))
		return c.broken
	}
	return fmt.Errorf("spool_storage: writing %s: %w", c.path, err)
}

// maybeCompact rewrites the log with only its live entries once it is larger than minCompactBytes
// and at most a quarter of it is live. A failure leaves the log as it was.
func (c *logClient) maybeCompact() {
	if c.end <= c.minCompactBytes || c.liveBytes*4 > c.end || c.end < c.compactRetryAt || c.broken != nil {
		return
	}
	if err := c.compact(); err != nil {
		c.compactRetryAt = c.end + c.minCompactBytes
		c.logger.Warn("queue log compaction failed; the log keeps growing until the next attempt",
			zap.String("file", c.path), zap.Error(err))
	}
}

func (c *logClient) compact() (err error) {
	tmpPath := c.path + compactSuffix
	f, err := openLocked(tmpPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = f.Close()
			_ = os.Remove(tmpPath)
		}
	}()
	if _, err = f.WriteAt(fileMagic, 0); err != nil {
		return err
	}
	fresh := &logClient{index: make(map[string]valueRef, len(c.index)), file: f, end: int64(len(fileMagic))}
	keys := make([]string, 0, len(c.index))
	for k := range c.index {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a deterministic layout
	var chunk []*storage.Operation
	chunkBytes := 0
	buf := make([]byte, 0, 2*compactChunkBytes) // reused: a record rarely outgrows it
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		record, valueAt, err := encodeRecord(buf, chunk)
		if err != nil {
			return err
		}
		buf = record
		start := fresh.end
		if _, err := f.WriteAt(record, start); err != nil {
			return err
		}
		for i, op := range chunk {
			fresh.setRef(op.Key, valueRef{offset: start + int64(valueAt[i]), length: int64(len(op.Value))})
		}
		fresh.end += int64(len(record))
		chunk, chunkBytes = chunk[:0], 0
		return nil
	}
	for _, k := range keys {
		value, err := c.read(k)
		if err != nil {
			return err
		}
		chunk = append(chunk, storage.SetOperation(k, value))
		if chunkBytes += len(value); chunkBytes >= compactChunkBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if c.fsync {
		if err := f.SyncData(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmpPath, c.path); err != nil {
		return err
	}
	renamed = true
	// The open descriptor follows the renamed file, so the client switches to it without reopening.
	old := c.file
	c.file, c.index, c.liveBytes, c.end = f, fresh.index, fresh.liveBytes, fresh.end
	if cerr := old.Close(); cerr != nil {
		c.logger.Warn("closing the replaced queue log", zap.String("file", c.path), zap.Error(cerr))
	}
	if c.fsync {
		return filestore.SyncDir(filepath.Dir(c.path))
	}
	return nil
}

// Close releases the log. What was written stays; a last sync makes a clean shutdown durable even
// without fsync.
func (c *logClient) Close(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.onClose != nil {
		c.onClose()
	}
	err := c.file.SyncData()
	return errors.Join(err, c.file.Close())
}
