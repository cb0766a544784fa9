package peak

import (
	"testing"
	"time"
)

// TestKernels runs every implementation this machine can run and checks
// that the figure is positive and not absurd (far above what a core's
// units can do would mean the loop was skipped).
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
		limit := 2000.0 // a vector unit's 64 FLOPs a cycle at 30 GHz
		if k.instr == "TDPBF16PS" {
			limit = 8000 // AMX's 1,024 FLOPs a cycle at 8 GHz
		}
		if !(g > 0.1 && g < limit) {
			t.Errorf("%s: %.1f GFLOP/s on one worker", k.name, g)
		}
	}
}
