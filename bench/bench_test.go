package bench

import (
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// benchCases runs each case as BenchmarkFamily/Name/device on every device
// compiled in. A device that cannot be opened here (a CUDA build on a
// machine without a GPU) skips its sub-benchmarks.
func benchCases(b *testing.B, cases []Case) {
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			for _, name := range tensor.Devices() {
				b.Run(name, func(b *testing.B) {
					dev, err := Open(name)
					if err != nil {
						b.Skip(err)
					}
					benchOn(b, c, dev)
				})
			}
		})
	}
}

// benchOn times b.N runs of c on dev after one untimed warm-up run. The
// Sync before reading the clock counts the device work still queued: a GPU
// step only launches kernels.
func benchOn(b *testing.B, c Case, dev tensor.Device) {
	step, free, err := c.Prepare(dev)
	if err != nil {
		b.Fatal(err)
	}
	defer free()
	b.ResetTimer()
	for range b.N {
		step()
	}
	if err := dev.Sync(); err != nil {
		b.Fatal(err)
	}
	el := b.Elapsed()
	b.ReportMetric(c.FLOPs*float64(b.N)/el.Seconds()/1e9, "GFLOP/s")
	if c.Images > 0 {
		b.ReportMetric(float64(c.Images*b.N)/el.Seconds(), "images/s")
	}
}

func BenchmarkGemm(b *testing.B) { benchCases(b, GemmCases()) }

// BenchmarkPeak measures each device's FMA peak: /cpu on every worker of
// internal/parallel, /cuda-fp32 and /cuda-tf32 on the GPU.
func BenchmarkPeak(b *testing.B) {
	for _, p := range Peaks() {
		b.Run(p.Name, func(b *testing.B) {
			dev, err := Open(p.Device)
			if err != nil {
				b.Skip(err)
			}
			benchOn(b, p.Case, dev)
		})
	}
}
