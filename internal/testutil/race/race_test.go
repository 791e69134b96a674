package race

import (
	"sync"
	"testing"
)

// TestEnabledMatchesTheBuild races two goroutines on purpose when Enabled says the detector is off:
// were Enabled false in a -race build, the detector would fail this test (`go test -race`).
func TestEnabledMatchesTheBuild(t *testing.T) {
	if Enabled {
		t.Skip("built with -race: the unsynchronised writes below would be reported")
	}
	var n int
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n++
		}()
	}
	wg.Wait()
	if n < 1 || n > 2 {
		t.Fatalf("n = %d", n)
	}
}
