//go:build !linux

package spoolstorageextension

import "os"

func syncData(f *os.File) error { return f.Sync() }

// lockFile is a no-op off Linux: only one collector may use a directory there.
func lockFile(*os.File) error { return nil }
