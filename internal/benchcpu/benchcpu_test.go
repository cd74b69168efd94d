package benchcpu

import (
	"runtime"
	"testing"
)

// The metric appears, and counts work done by this process.
func TestMeasure(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no process CPU time here")
	}
	res := testing.Benchmark(func(b *testing.B) {
		defer Measure(b)()
		x := 0
		for i := 0; i < b.N*1000; i++ {
			x += i * i
		}
		_ = x
	})
	if v, ok := res.Extra["cpu-ns/op"]; !ok || v <= 0 {
		t.Fatalf("cpu-ns/op = %v (%v); extra %v", v, ok, res.Extra)
	}
}
