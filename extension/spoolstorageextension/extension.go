package spoolstorageextension

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

const (
	logSuffix = ".spool"
	// maxFileName is the common file-name limit; longer names are replaced by a hash.
	maxFileName = 255
)

// spoolStorage hands out one log client per (component, storage name).
type spoolStorage struct {
	cfg    *Config
	logger *zap.Logger

	mu   sync.Mutex
	open map[string]*logClient // by path
}

var _ storage.Extension = (*spoolStorage)(nil)

func newSpoolStorage(logger *zap.Logger, cfg *Config) *spoolStorage {
	return &spoolStorage{cfg: cfg, logger: logger, open: map[string]*logClient{}}
}

// Start creates the directory when configured to.
func (s *spoolStorage) Start(context.Context, component.Host) error {
	if s.cfg.CreateDirectory {
		if err := os.MkdirAll(s.cfg.Directory, 0o750); err != nil {
			return fmt.Errorf("spool_storage: creating directory %s: %w", s.cfg.Directory, err)
		}
	}
	return nil
}

// Shutdown closes the clients their owners left open.
func (s *spoolStorage) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	clients := make([]*logClient, 0, len(s.open))
	for _, c := range s.open {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	var errs []error
	for _, c := range clients {
		errs = append(errs, c.Close(ctx))
	}
	return errors.Join(errs...)
}

// GetClient opens the log of one component's storage, named like file_storage names its files.
func (s *spoolStorage) GetClient(ctx context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	raw := clientName(kind, id, name)
	path := filepath.Join(s.cfg.Directory, logFileName(raw))
	fileStoragePath, err := fileStorageFilePath(s.cfg.Directory, raw)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, busy := s.open[path]; busy {
		return nil, fmt.Errorf("spool_storage: %s is already open (one client per component and storage name)", path)
	}
	c, err := openLog(s.logger, path, s.cfg.FSync, s.cfg.Compaction.MinFileMiB<<20)
	if err != nil {
		return nil, fmt.Errorf("spool_storage: opening %s: %w", path, err)
	}
	if err := s.importFileStorage(ctx, c, fileStoragePath); err != nil {
		return nil, errors.Join(err, c.Close(ctx))
	}
	c.onClose = func() {
		s.mu.Lock()
		delete(s.open, path)
		s.mu.Unlock()
	}
	s.open[path] = c
	return c, nil
}

// clientName is what file_storage names a client's file before sanitising it:
// <kind>_<type>_<component name>[_<storage name>].
func clientName(kind component.Kind, id component.ID, name string) string {
	raw := fmt.Sprintf("%s_%s_%s", strings.ToLower(kind.String()), id.Type(), id.Name())
	if name != "" {
		raw += "_" + name
	}
	return raw
}

// logFileName makes a safe file name of raw: characters outside [A-Za-z0-9._-] (and '~') become
// ~XXXX, and a name too long for the file system (with the compaction suffix) becomes a hash.
func logFileName(raw string) string {
	name := sanitizeFileName(raw) + logSuffix
	if len(name)+len(compactSuffix) > maxFileName {
		sum := sha256.Sum256([]byte(raw))
		name = hex.EncodeToString(sum[:]) + logSuffix
	}
	return name
}

// sanitizeFileName escapes the characters of raw outside [A-Za-z0-9._-] (the tilde included) as
// ~XXXX, exactly as contrib file_storage's sanitize does, so both name a client's file alike.
func sanitizeFileName(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "~%04X", r)
		}
	}
	return b.String()
}
