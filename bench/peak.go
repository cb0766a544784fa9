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
	// Device is the name of the device the probe runs on.
	Device string
	// TF32 marks a probe of reduced-precision arithmetic: it is the
	// reference of a device whose GEMM runs on TF32 tensor cores, the
	// other probes of devices whose GEMM is exact.
	TF32 bool
}

// peakProbes make the probes compiled in; files built with a device's tag
// add theirs from init. They are functions because a probe's FLOPs can
// depend on settings made after init (the CPU's worker count).
var peakProbes = []func() Peak{cpuPeak}

// Peaks returns the probes compiled into this binary.
func Peaks() []Peak {
	ps := make([]Peak, len(peakProbes))
	for i, probe := range peakProbes {
		ps[i] = probe()
	}
	return ps
}

// cpuPeak runs the FMA loop of internal/peak on every worker of
// internal/parallel at once: the CPU's operations are split over the same
// workers.
func cpuPeak() Peak {
	workers := parallel.Workers()
	return Peak{Device: "cpu", Case: Case{
		Family: "Peak",
		Name:   "cpu",
		Shape:  peak.ISA() + " FMA",
		FLOPs:  peak.FlopsPerChunk() * float64(workers),
		Setup: func(tensor.Device) (step, free func(), err error) {
			return func() { peak.Chunks(workers, 1) }, func() {}, nil
		},
	}}
}
