//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package spoolstorageextension

import (
	"fmt"
	"os"
	"syscall"
)

func lockFile(f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lockErr error
	if err := raw.Control(func(fd uintptr) { lockErr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB) }); err != nil {
		return err
	}
	if lockErr != nil {
		return fmt.Errorf("%s is in use by another process (lock: %w)", f.Name(), lockErr)
	}
	return nil
}
