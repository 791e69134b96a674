//go:build unix

package piiredactionprocessor

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time (user + system) the test process has used so far. Benchmarks on
// a shared VM report throughput per CPU second too, which is far less sensitive to other load
// than wall-clock time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
