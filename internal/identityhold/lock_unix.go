//go:build unix

package identityhold

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on path, so two collectors (or two exporters) never share a journal.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // G304: the lock file in the configured identity directory
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s is in use by another collector or exporter (each needs its own identity.directory): %w", path, err)
	}
	return f, nil
}
