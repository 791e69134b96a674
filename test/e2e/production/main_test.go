package production

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain stops the package's Kafka broker (kafka_test.go) after the tests, then fails the run when
// any test left a goroutine behind: the OTLP clients, the collector processes, their output readers
// and the peers' clients must be stopped by each test.
func TestMain(m *testing.M) {
	code := m.Run()
	sharedKafka.Close()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
