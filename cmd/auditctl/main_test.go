package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind: every command closes its store and its clients (S3, search engine, PostgreSQL) before it returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
