//go:build !race

package race

// Enabled is true when the test binary was built with -race.
const Enabled = false
