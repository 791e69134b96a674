//go:build !unix

package piiredactionprocessor

import "time"

// processCPUTime is not measured on this platform; CPU-based metrics are then omitted.
func processCPUTime() time.Duration { return 0 }
