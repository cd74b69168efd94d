// Package benchcpu reports a benchmark's process CPU time per operation
// ("cpu-ns/op") next to its wall time: on a shared machine other processes
// inflate wall time, not this process's CPU time.
package benchcpu

import (
	"testing"
)

// Measure starts counting; call what it returns when the benchmark ends:
//
//	defer benchcpu.Measure(b)()
func Measure(b *testing.B) func() {
	start := now()
	return func() {
		if d := now() - start; d > 0 && start > 0 && b.N > 0 {
			b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
