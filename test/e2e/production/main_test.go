package production

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind: the OTLP clients, the collector processes, their output readers and the peers' clients must be stopped by each test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
