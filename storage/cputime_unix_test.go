//go:build unix

package storage

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the test process has
// used so far. Benchmarks read it around a section to learn what the
// section cost in CPU, which other processes on a shared machine disturb far
// less than they disturb wall time.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
