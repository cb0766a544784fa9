//go:build cuda

package bench

import (
	"fmt"

	"github.com/tensorforge/tensorforge/cuda" // registers the "cuda" device
	"github.com/tensorforge/tensorforge/tensor"
)

func init() {
	peakProbes = append(peakProbes,
		peakProbe{name: "cuda-fp32", device: "cuda", make: cudaPeak("cuda-fp32", "FP32 FMA", "fp32", (*cuda.Device).PeakFP32)},
		peakProbe{name: "cuda-tf32", device: "cuda", make: cudaPeak("cuda-tf32", "TF32 mma.sync", "tf32", (*cuda.Device).PeakTF32)},
		peakProbe{name: "cuda-bf16", device: "cuda", make: cudaPeak("cuda-bf16", "BF16 mma.sync", "bf16", (*cuda.Device).PeakBF16)})
}

// cudaPeak makes a probe of the cuda package's device from one of its
// Probe constructors, measuring the arithmetic of the given precision.
func cudaPeak(name, what, precision string, probe func(*cuda.Device) cuda.Probe) func(tensor.Device) (Peak, error) {
	return func(dev tensor.Device) (Peak, error) {
		cd, ok := dev.(*cuda.Device)
		if !ok {
			return Peak{}, fmt.Errorf("bench: %s: device %s is a %T, not the cuda package's", name, dev.Name(), dev)
		}
		pr := probe(cd)
		return Peak{Precision: precision, Case: Case{
			Family: "Peak", Name: name, Shape: what, FLOPs: pr.FLOPs,
			Setup: func(tensor.Device) (step, free func(), err error) { return pr.Run, func() {}, nil },
		}}, nil
	}
}
