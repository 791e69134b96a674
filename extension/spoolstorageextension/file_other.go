//go:build !linux

package spoolstorageextension

import "os"

func syncData(f *os.File) error { return f.Sync() }
