package clients

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: the OTLP sinks and the fake OpenAI server must be shut down by each test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
