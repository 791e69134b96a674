package spoolstorageextension

import (
	"io"
	"os"
)

// logFile is what a client needs of its log file; tests wrap it to inject write faults.
type logFile interface {
	io.ReaderAt
	io.WriterAt
	Truncate(size int64) error
	// SyncData makes written data durable (fdatasync where the OS has it).
	SyncData() error
	Close() error
}

// osLogFile is a log file on disk, locked against a second process using it.
type osLogFile struct{ *os.File }

func (f osLogFile) SyncData() error { return syncData(f.File) }

// openLocked opens (flag) the file at path and takes an exclusive lock on it.
func openLocked(path string, flag int) (osLogFile, error) {
	f, err := os.OpenFile(path, flag, 0o600) //nolint:gosec // G304: a log in the configured directory, named by GetClient
	if err != nil {
		return osLogFile{}, err
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		return osLogFile{}, err
	}
	return osLogFile{f}, nil
}

// withFD runs a system call on f's descriptor.
func withFD(f *os.File, call func(fd int) error) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var callErr error
	if err := raw.Control(func(fd uintptr) { callErr = call(int(fd)) }); err != nil {
		return err
	}
	return callErr
}
