//go:build unix

package spectral

import (
	"syscall"
	"time"
)

// cpuTime returns the processor time (user + system) used by the process,
// so that benchmarks on a loaded machine can report it beside wall time.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
