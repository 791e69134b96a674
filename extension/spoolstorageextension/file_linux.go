package spoolstorageextension

import (
	"os"
	"syscall"
)

func syncData(f *os.File) error {
	if err := withFD(f, syscall.Fdatasync); err != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
	}
	return nil
}
