package race

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: the goroutines of the deliberate race must have ended.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
