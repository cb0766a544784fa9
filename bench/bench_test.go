package bench

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/tensor"
)

// model is shared by the AlexNet benchmarks, so each device builds it once.
var model = NewModel(224)

// BenchmarkPeak measures each device's FMA peak: /cpu on as many threads as
// internal/parallel has workers (-cpu sets them), /cuda-fp32 and
// /cuda-tf32 on the GPU.
func BenchmarkPeak(b *testing.B) {
	for _, pp := range peakProbes {
		b.Run(pp.name, func(b *testing.B) {
			dev, err := Open(pp.device)
			if err != nil {
				b.Skip(err)
			}
			p, err := pp.make(dev)
			if err != nil {
				b.Fatal(err)
			}
			benchOn(b, p.Case, dev)
		})
	}
}

// BenchmarkGemm times one tensor.Gemm per shape: squares and AlexNet's
// im2col products as ANCHORS.md lists them.
func BenchmarkGemm(b *testing.B) { benchCases(b, GemmCases()) }

// BenchmarkConv times each AlexNet convolution's forward and backward
// (weight and input gradients) alone.
func BenchmarkConv(b *testing.B) {
	benchCases(b, family(model.LayerCases(Batches), "Conv"))
}

// BenchmarkMaxPool times each AlexNet max-pool's forward and backward.
func BenchmarkMaxPool(b *testing.B) {
	benchCases(b, family(model.LayerCases(Batches), "MaxPool"))
}

// BenchmarkAlexNet times the whole forward pass and training step.
func BenchmarkAlexNet(b *testing.B) {
	cases, err := model.Cases(Batches)
	if err != nil {
		b.Fatal(err)
	}
	gpu, err := model.Cases(GPUBatches)
	if err != nil {
		b.Fatal(err)
	}
	for i := range gpu {
		gpu[i].Only = "cuda"
	}
	benchCases(b, append(cases, gpu...))
}

// BenchmarkModelMemory reports the memory AlexNet holds on each device once
// it has run a batch: built for training (its gradients, and the
// activations and input gradients of a step) and for inference only (no
// gradients, a forward pass's activations).
func BenchmarkModelMemory(b *testing.B) {
	for _, n := range []int{1, 128} {
		for _, inference := range []bool{false, true} {
			name := fmt.Sprintf("train/b%d", n)
			if inference {
				name = fmt.Sprintf("inference/b%d", n)
			}
			b.Run(name, func(b *testing.B) {
				for _, dn := range tensor.Devices() {
					b.Run(dn, func(b *testing.B) {
						dev, err := Open(dn)
						if err != nil {
							b.Skip(err)
						}
						c := model.Config
						c.Inference = inference
						var bytes int64
						for b.Loop() {
							if bytes, err = ModelMemory(dev, c, n); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(bytes)/1e6, "MB")
					})
				}
			})
		}
	}
}

// benchCases runs each case as BenchmarkFamily/Name/device on every device
// compiled in. A device that cannot be opened here (a CUDA build on a
// machine without a GPU) skips its sub-benchmarks.
func benchCases(b *testing.B, cases []Case) {
	for _, c := range cases {
		names := slices.DeleteFunc(tensor.Devices(), func(name string) bool { return !c.RunsOn(name) })
		if len(names) == 0 {
			// A benchmark without sub-benchmarks would be timed itself.
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			for _, name := range names {
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
	per := b.Elapsed() / time.Duration(b.N)
	if c.FLOPs > 0 {
		b.ReportMetric(c.GFLOPS(per), "GFLOP/s")
	}
	if c.Bytes > 0 {
		b.ReportMetric(c.GBPerSec(per), "GB/s")
	}
	if c.Images > 0 {
		b.ReportMetric(c.ImagesPerSec(per), "images/s")
	}
}
