package report_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: rendering (and the Chromium run in its test) must start nothing that outlives it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
