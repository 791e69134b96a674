// Package filestore is the embedded default store: the object store layout on a local directory.
// Every object is written to a temporary file, fsynced and renamed into place, so a crash never leaves
// a half-written object visible.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// tempPrefix marks files still being written; List never shows them.
const tempPrefix = ".tmp-"

// Backend stores objects as files below Root.
type Backend struct{ Root string }

var _ objectstore.Backend = (*Backend)(nil)

// NewBackend returns a backend rooted at dir, creating it if needed.
func NewBackend(dir string) (*Backend, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, err
	}
	return &Backend{Root: abs}, nil
}

func (b *Backend) path(key string) (string, error) {
	clean := path.Clean("/" + key)
	if clean == "/" || strings.Contains(key, "..") {
		return "", fmt.Errorf("invalid key %q", key)
	}
	return filepath.Join(b.Root, filepath.FromSlash(clean)), nil
}

// Put writes data to a temporary file beside the target, fsyncs it, renames it into place and
// fsyncs the directory so the rename itself survives a crash.
func (b *Backend) Put(_ context.Context, key string, data []byte) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(p)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, p)
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return werr
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory, so the entries created in it survive a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // G304: dir is a store directory the caller created, not user input
	if err != nil {
		return err
	}
	// A failed close after a good sync loses nothing, but report it rather than hide it.
	return errors.Join(d.Sync(), d.Close())
}

// Get reads a whole object.
func (b *Backend) Get(_ context.Context, key string) ([]byte, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p) //nolint:gosec // G304: p comes from b.path, a cleaned key below Root with ".." refused
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", key, objectstore.ErrNotExist)
	}
	return data, err
}

// List walks the directory that holds prefix and returns matching keys in order.
func (b *Backend) List(_ context.Context, prefix string) ([]string, error) {
	start := b.Root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(b.Root, filepath.FromSlash(prefix[:i]))
	}
	var keys []string
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		rel, err := filepath.Rel(b.Root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	sort.Strings(keys)
	return keys, err
}

// Delete removes an object; a missing one is not an error.
func (b *Backend) Delete(_ context.Context, key string) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// RemoveStaleTemp deletes temporary files that were last written before `before`: ones a crash
// left behind, never visible as objects. Files written since (a Put in flight) are kept, so this
// can run in the background while the store is in use; on a large store the walk takes a while.
func (b *Backend) RemoveStaleTemp(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := filepath.WalkDir(b.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // removed meanwhile (retention, erasure)
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(before) {
			return nil
		}
		// Whoever can swap a symlink into the store directory already controls the store, so a
		// root-scoped walk (G122) would guard nothing.
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) { //nolint:gosec // G122: the collector's own store directory
			return err
		}
		n++
		return nil
	})
	return n, err
}

func (b *Backend) String() string { return "file://" + filepath.ToSlash(b.Root) }
