package peak

import (
	"testing"
	"time"
)

// TestKernels runs every implementation this machine can run and checks
// that the figure is positive and not absurd (above 1 TFLOP/s per core
// would mean the loop was skipped).
func TestKernels(t *testing.T) {
	for _, k := range available() {
		saved := kernel
		kernel = k
		start := time.Now()
		flops := Chunks(1, 8)
		g := flops / time.Since(start).Seconds() / 1e9
		kernel = saved
		t.Logf("%s: %.1f GFLOP/s on one worker", k.name, g)
		if !(g > 0.1 && g < 1000) {
			t.Errorf("%s: %.1f GFLOP/s on one worker", k.name, g)
		}
	}
}
