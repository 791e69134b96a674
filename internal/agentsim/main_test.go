package agentsim

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: a run must shut down its OTLP exporters and pacing goroutine, the test receivers their servers.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
