package peak

import (
	"testing"
	"time"
)

// TestKernels runs every implementation this machine can run and checks
// that the figure is positive and not absurd (above 2 TFLOP/s per core
// would mean the loop was skipped).
func TestKernels(t *testing.T) {
	ks := fmaKernels
	if bf16Kernel != nil {
		ks = append(ks, *bf16Kernel)
	}
	for _, k := range ks {
		start := time.Now()
		flops := Probe{k}.Chunks(1, 8)
		g := flops / time.Since(start).Seconds() / 1e9
		t.Logf("%s: %.1f GFLOP/s on one worker", k.name, g)
		if !(g > 0.1 && g < 2000) {
			t.Errorf("%s: %.1f GFLOP/s on one worker", k.name, g)
		}
	}
}
