package esstore

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind; the engines the
// tests share are stopped first, so only what a test left running counts.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(stopSharedEnginesAfter{m})
}

// stopSharedEnginesAfter runs the tests, then stops the search engines they shared.
type stopSharedEnginesAfter struct{ *testing.M }

func (m stopSharedEnginesAfter) Run() int {
	code := m.M.Run()
	searchengine.StopShared()
	return code
}
