//go:build !unix

package identityhold

import "os"

// lockDir opens the lock file; only Unix systems get an exclusive lock.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
