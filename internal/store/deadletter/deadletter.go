// Package deadletter keeps records a store rejected for good (Elasticsearch/OpenSearch, PostgreSQL),
// with the store's reason, in fsynced JSONL files, so a rejected record is counted and never lost.
package deadletter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// Letter is one line of a dead-letter file: a record the store rejected for good, with the store's
// answer. Files are JSONL named <prefix>-dead-letter-YYYY-MM-DD.jsonl (UTC day of writing).
type Letter struct {
	Time   time.Time `json:"time"`
	Signal string    `json:"signal,omitempty"`
	// Index is where the record was to go: a search engine index, a PostgreSQL table.
	Index     string              `json:"index"`
	RecordID  string              `json:"record_id"`
	Status    int                 `json:"status"`
	ErrorType string              `json:"error_type,omitempty"`
	Reason    string              `json:"reason,omitempty"`
	Record    *auditrecord.Record `json:"record"`
}

// Store appends dead letters and fsyncs them before Write reports success, so a
// rejected record is never lost. Files hold record contents and are created 0600 in a 0700 dir.
type Store struct {
	dir    string
	prefix string
	mu     sync.Mutex
}

// New returns the dead-letter store in dir whose files start with prefix.
func New(dir, prefix string) *Store {
	return &Store{dir: dir, prefix: prefix}
}

// Prepare creates the directory.
func (d *Store) Prepare() error {
	return os.MkdirAll(d.dir, 0o700)
}

// path is the file dead letters written at t go to.
func (d *Store) path(t time.Time) string {
	return filepath.Join(d.dir, fmt.Sprintf("%s-dead-letter-%s.jsonl", d.prefix, t.UTC().Format("2006-01-02")))
}

// Write appends letters durably (fsynced) before it returns.
func (d *Store) Write(letters []Letter) error {
	if len(letters) == 0 {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range letters {
		if err := enc.Encode(&letters[i]); err != nil {
			// A record that cannot be encoded at all is kept by id and reason only.
			rec := letters[i]
			rec.Reason = fmt.Sprintf("%s; record not encodable: %v", rec.Reason, err)
			rec.Record = &auditrecord.Record{RecordID: rec.RecordID}
			if err := enc.Encode(&rec); err != nil {
				return fmt.Errorf("dead letter: encode: %w", err)
			}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	path := d.path(time.Now())
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: a dated file name in the configured dead-letter directory
	if err != nil {
		return fmt.Errorf("dead letter: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		return errors.Join(fmt.Errorf("dead letter: write %s: %w", path, err), f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(fmt.Errorf("dead letter: fsync %s: %w", path, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dead letter: close %s: %w", path, err)
	}
	if os.IsNotExist(statErr) {
		// A new file's directory entry must be durable too.
		if dir, err := os.Open(d.dir); err == nil {
			syncErr := errors.Join(dir.Sync(), dir.Close())
			if syncErr != nil {
				return fmt.Errorf("dead letter: fsync %s: %w", d.dir, syncErr)
			}
		}
	}
	return nil
}

// Read reads every dead letter under dir (for tests and operators' tools).
func Read(dir string) ([]Letter, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*-dead-letter-*.jsonl"))
	if err != nil {
		return nil, err
	}
	var out []Letter
	for _, f := range files {
		data, err := os.ReadFile(f) //nolint:gosec // G304: a dead-letter file found by name pattern in the directory the caller gave
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		for dec.More() {
			var dl Letter
			if err := dec.Decode(&dl); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			out = append(out, dl)
		}
	}
	return out, nil
}
