package bench

import (
	"github.com/tensorforge/tensorforge/internal/parallel"
	"github.com/tensorforge/tensorforge/internal/peak"
	"github.com/tensorforge/tensorforge/tensor"
)

// A Peak probes one device's arithmetic peak with a kernel that does
// nothing but multiply-adds, so "% of peak" is a measured ratio. Its Case
// is BenchmarkPeak/Name; one step is a few milliseconds of arithmetic.
type Peak struct {
	Case
	// TF32 marks a probe of reduced-precision arithmetic: it is the
	// reference of a device whose GEMM runs on TF32 tensor cores, the
	// other probes of devices whose GEMM is exact.
	TF32 bool
}

// peakProbe makes one probe for an open device: sizes and FLOPs can depend
// on the device (a GPU's multiprocessors) and on settings made after init
// (the CPU's worker count).
type peakProbe struct {
	name, device string
	make         func(dev tensor.Device) (Peak, error)
}

// peakProbes are the probes compiled in; files built with a device's tag
// add theirs from init.
var peakProbes = []peakProbe{{name: "cpu", device: "cpu", make: cpuPeak}}

// PeaksOn returns the probes of dev, ready to time.
func PeaksOn(dev tensor.Device) ([]Peak, error) {
	var ps []Peak
	for _, pp := range peakProbes {
		if pp.device != dev.Name() {
			continue
		}
		p, err := pp.make(dev)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// cpuPeak runs the FMA loop of internal/peak on as many threads as
// internal/parallel has workers, the threads the CPU's operations are split
// over.
func cpuPeak(tensor.Device) (Peak, error) {
	workers := parallel.Workers()
	return Peak{Case: Case{
		Family: "Peak",
		Name:   "cpu",
		Shape:  peak.ISA() + " FMA",
		FLOPs:  8 * peak.FlopsPerChunk() * float64(workers),
		Setup: func(tensor.Device) (step, free func(), err error) {
			return func() { peak.Chunks(workers, 8) }, func() {}, nil
		},
	}}, nil
}
