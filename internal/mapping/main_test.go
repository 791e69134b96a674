package mapping

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: log records waiting for their spans must give up with their context.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
