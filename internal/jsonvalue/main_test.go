package jsonvalue

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: the parser must stay synchronous.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
