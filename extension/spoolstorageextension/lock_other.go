//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package spoolstorageextension

import "os"

// lockFile is a no-op where flock is missing: only one collector may use a directory there.
func lockFile(*os.File) error { return nil }
