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
	// Precision is the arithmetic the probe measures, as DeviceInfo
	// names it: "fp32", "tf32" or "bf16". It is the reference of a device
	// whose GEMMs run in it.
	Precision string
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

func init() {
	if p, ok := peak.BF16(); ok {
		peakProbes = append(peakProbes, peakProbe{name: "cpu-bf16", device: "cpu", make: cpuProbe("cpu-bf16", "bf16", p)})
	}
}

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

// cpuPeak is the CPU's FMA probe.
var cpuPeak = cpuProbe("cpu", "fp32", peak.FMA())

// cpuProbe makes a probe that runs p's loop of internal/peak on as many
// threads as internal/parallel has workers, the threads the CPU's
// operations are split over.
func cpuProbe(name, precision string, p peak.Probe) func(tensor.Device) (Peak, error) {
	return func(tensor.Device) (Peak, error) {
		workers := parallel.Workers()
		what := p.Name() + " " + p.Instruction()
		return Peak{Precision: precision, Case: Case{
			Family: "Peak",
			Name:   name,
			Shape:  what,
			FLOPs:  8 * p.FlopsPerChunk() * float64(workers),
			Setup: func(tensor.Device) (step, free func(), err error) {
				return func() { p.Chunks(workers, 8) }, func() {}, nil
			},
		}}, nil
	}
}
