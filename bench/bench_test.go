package bench

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/tensor"
)

// models are shared by the AlexNet benchmarks, one per precision, so each
// device builds each once.
var models = map[tensor.Precision]*Model{}

func init() {
	for _, p := range tensor.Precisions {
		models[p] = NewModel(224, p)
	}
}

// BenchmarkPeak measures each device's multiply-add peaks: /cpu (FMA) and
// /cpu-bf16 (VDPBF16PS, where the CPU has it) on as many threads as
// internal/parallel has workers (-cpu sets them), /cuda-fp32, /cuda-tf32
// and /cuda-bf16 on the GPU.
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
func BenchmarkGemm(b *testing.B) { benchCases(b, GemmCases) }

// BenchmarkConv times each AlexNet convolution's forward and backward
// (weight and input gradients) alone.
func BenchmarkConv(b *testing.B) {
	benchCases(b, func(p tensor.Precision) []Case { return family(models[p].LayerCases(Batches), "Conv") })
}

// BenchmarkMaxPool times each AlexNet max-pool's forward and backward.
func BenchmarkMaxPool(b *testing.B) {
	benchCases(b, func(p tensor.Precision) []Case { return family(models[p].LayerCases(Batches), "MaxPool") })
}

// BenchmarkAlexNet times the whole forward pass and training step.
func BenchmarkAlexNet(b *testing.B) {
	benchCases(b, func(p tensor.Precision) []Case {
		cases, err := models[p].Cases(Batches)
		if err != nil {
			b.Fatal(err)
		}
		gpu, err := models[p].Cases(GPUBatches)
		if err != nil {
			b.Fatal(err)
		}
		for i := range gpu {
			gpu[i].Only = "cuda"
		}
		return append(cases, gpu...)
	})
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
						c := models[tensor.FP32].Config
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

// benchCases runs the cases as BenchmarkFamily/Name/device/precision=p on
// every device compiled in and every precision it runs, the precisions of
// a case one after the other so that their ratio comes from neighbouring
// runs. casesIn returns the cases in a precision, the same list in each.
// A device that cannot be opened here (a CUDA build on a machine without a
// GPU) skips its sub-benchmarks.
func benchCases(b *testing.B, casesIn func(tensor.Precision) []Case) {
	byPrecision := map[tensor.Precision][]Case{}
	for _, p := range tensor.Precisions {
		byPrecision[p] = casesIn(p)
	}
	for i, c := range byPrecision[tensor.FP32] {
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
					for _, p := range tensor.Precisions {
						b.Run("precision="+p.String(), func(b *testing.B) {
							if _, err := dev.GemmPrecision(p); err != nil {
								b.Skip(err)
							}
							benchOn(b, byPrecision[p][i], dev)
						})
					}
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
