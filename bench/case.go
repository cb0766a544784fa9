package bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/tensorforge/tensorforge/tensor"
)

// A Case is one measured operation: what it is, how much arithmetic one run
// does, and how to prepare it on a device.
type Case struct {
	// Family and Name make the benchmark's name: BenchmarkFamily/Name/device.
	Family, Name string
	// Shape describes the operands for the table ("256x86528x2400",
	// "[128 96 54 54]").
	Shape string
	// FLOPs is the floating-point work of one run, counting a multiply-add
	// as 2.
	FLOPs float64
	// Bytes is the memory traffic of one run, for operations without
	// FLOPs (max-pool), whose speed is a bandwidth.
	Bytes float64
	// Images is how many images one run processes (0 for a bare GEMM).
	Images int
	// Only, when set, names the one device the case runs on (batch 256
	// is a GPU size).
	Only string
	// Setup allocates the operands on dev and returns step, which queues
	// one run, and free, which releases what Setup allocated. Steps need
	// not wait for the device; the timing loop syncs.
	Setup func(dev tensor.Device) (step, free func(), err error)
}

// RunsOn reports whether the case is meant for the device called name.
func (c Case) RunsOn(name string) bool { return c.Only == "" || c.Only == name }

// Op returns the case's full name without the device: "Conv/conv2/forward/b128".
func (c Case) Op() string { return c.Family + "/" + c.Name }

// Timing is what running a Case on one device measured.
type Timing struct {
	// Runs is how many timed runs the figures come from.
	Runs int
	// Time is the median wall time of one run, device work included.
	Time time.Duration
	// Min and Max are the fastest and the slowest run: the spread that
	// tells a real difference between two runs from noise.
	Min, Max time.Duration
}

// GFLOPS returns the arithmetic throughput of a run of c that took d.
func (c Case) GFLOPS(d time.Duration) float64 { return c.FLOPs / d.Seconds() / 1e9 }

// GBPerSec returns the bandwidth of a run of c that took d.
func (c Case) GBPerSec(d time.Duration) float64 { return c.Bytes / d.Seconds() / 1e9 }

// ImagesPerSec returns the images per second of a run of c that took d, or
// 0 when c has no images.
func (c Case) ImagesPerSec(d time.Duration) float64 {
	return float64(c.Images) / d.Seconds()
}

// Prepare sets c up on dev and runs it once untimed, so pools fill, pages
// are touched and the GPU compiles its kernels before anything is timed.
func (c Case) Prepare(dev tensor.Device) (step, free func(), err error) {
	step, free, err = c.Setup(dev)
	if err != nil {
		return nil, nil, fmt.Errorf("%s on %s: %w", c.Op(), dev.Name(), err)
	}
	step()
	if err := dev.Sync(); err != nil {
		free()
		return nil, nil, fmt.Errorf("%s on %s: %w", c.Op(), dev.Name(), err)
	}
	return step, free, nil
}

// Time prepares c on dev, then runs it repeat times, each run ended by a
// Sync so queued device work is counted, and returns the median. Slow
// cases are cut short: no new run starts once budget has passed.
func (c Case) Time(dev tensor.Device, repeat int, budget time.Duration) (Timing, error) {
	step, free, err := c.Prepare(dev)
	if err != nil {
		return Timing{}, err
	}
	defer free()
	var times []time.Duration
	start := time.Now()
	for len(times) < max(repeat, 1) && (len(times) == 0 || time.Since(start) < budget) {
		t0 := time.Now()
		step()
		if err := dev.Sync(); err != nil {
			return Timing{}, fmt.Errorf("%s on %s: %w", c.Op(), dev.Name(), err)
		}
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	return Timing{Runs: len(times), Time: times[len(times)/2], Min: times[0], Max: times[len(times)-1]}, nil
}

// family returns the cases of one family.
func family(cases []Case, name string) []Case {
	var out []Case
	for _, c := range cases {
		if c.Family == name {
			out = append(out, c)
		}
	}
	return out
}
