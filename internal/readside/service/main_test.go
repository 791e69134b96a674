package service_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any leaves a goroutine behind: appending to and verifying the access log must start nothing that outlives it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
