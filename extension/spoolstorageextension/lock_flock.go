//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package spoolstorageextension

import (
	"fmt"
	"os"
	"syscall"
)

func lockFile(f *os.File) error {
	if err := withFD(f, func(fd int) error { return syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) }); err != nil {
		return fmt.Errorf("%s is in use by another process (lock: %w)", f.Name(), err)
	}
	return nil
}
