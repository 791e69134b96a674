package searchengine

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: the engine helpers must not leave HTTP clients or waits running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
