package spoolstorageextension

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind.
// A test binary started with queueChildDirEnv is the child process of the kill -9 test instead.
func TestMain(m *testing.M) {
	if dir := os.Getenv(queueChildDirEnv); dir != "" {
		runQueueChild(dir)
	}
	goleak.VerifyTestMain(m)
}
