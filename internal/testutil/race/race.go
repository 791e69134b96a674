//go:build race

// Package race tells a test whether the binary was built with -race, so tests whose subject the race
// detector changes (counting allocations: the race runtime allocates on its own) can skip.
package race

// Enabled is true when the test binary was built with -race.
const Enabled = true
