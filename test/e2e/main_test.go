package e2e

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind: the OTLP clients, the collector process and its output readers must be stopped by each test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
