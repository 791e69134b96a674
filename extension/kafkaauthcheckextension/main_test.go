package kafkaauthcheckextension

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain stops the shared broker after the tests and fails them when any leaves a goroutine
// behind (the check's franz-go client must be closed on every path).
func TestMain(m *testing.M) {
	code := m.Run()
	sharedKafka.Close()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			_, _ = os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
