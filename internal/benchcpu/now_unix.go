//go:build unix

package benchcpu

import (
	"syscall"
	"time"
)

// now is the process's CPU time, user and system.
func now() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
