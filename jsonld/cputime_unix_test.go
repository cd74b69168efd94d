//go:build unix

package jsonld

import (
	"syscall"
	"time"
)

// cpuNow is the process's CPU time: on a shared machine benchmarks report
// it next to wall time, which other processes inflate.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
