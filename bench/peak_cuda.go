//go:build cuda

package bench

import (
	"fmt"

	"github.com/tensorforge/tensorforge/cuda" // registers the "cuda" device
	"github.com/tensorforge/tensorforge/tensor"
)

func init() {
	peakProbes = append(peakProbes,
		cudaPeak("cuda-fp32", "FP32 FMA", false, (*cuda.Device).PeakFP32),
		cudaPeak("cuda-tf32", "TF32 mma.sync", true, (*cuda.Device).PeakTF32))
}

// cudaPeak makes a probe of the GPU opened by Open("cuda"). Without a GPU
// the probe has no FLOPs and its Setup reports why.
func cudaPeak(name, what string, tf32 bool, probe func(*cuda.Device) cuda.Probe) func() Peak {
	return func() Peak {
		p := Peak{Device: "cuda", TF32: tf32, Case: Case{Family: "Peak", Name: name, Shape: what}}
		dev, err := Open("cuda")
		if err != nil {
			p.Setup = func(tensor.Device) (step, free func(), err2 error) { return nil, nil, err }
			return p
		}
		cd, ok := dev.(*cuda.Device)
		if !ok {
			err = fmt.Errorf("device cuda is a %T, not the cuda package's", dev)
			p.Setup = func(tensor.Device) (step, free func(), err2 error) { return nil, nil, err }
			return p
		}
		pr := probe(cd)
		p.FLOPs = pr.FLOPs
		p.Setup = func(tensor.Device) (step, free func(), err error) { return pr.Run, func() {}, nil }
		return p
	}
}
