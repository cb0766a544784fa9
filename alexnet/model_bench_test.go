package alexnet

import (
	"fmt"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// BenchmarkTrainStep times the book's AlexNet training step (224x224,
// 10 classes) on the CPU in each precision and reports images/s and
// GFLOP/s of the matrix products. Run with -benchtime=Nx: a batch-128 step
// takes seconds. The precisions alternate within a batch size, so that
// their ratio comes from neighbouring runs.
func BenchmarkTrainStep(b *testing.B) {
	c := Config{InChannels: 1, Size: 224, Classes: 10, Seed: 1}
	rows, err := Summary(c)
	if err != nil {
		b.Fatal(err)
	}
	_, fwd, bwd := nn.Totals(rows)
	for _, n := range []int{16, 128} {
		for _, p := range tensor.Precisions {
			b.Run(fmt.Sprintf("batch=%d/precision=%v", n, p), func(b *testing.B) {
				benchTrainStep(b, c, p, n, float64(fwd+bwd))
			})
		}
	}
}

// benchTrainStep times steps of batch n of the model c in precision p,
// flops a sample.
func benchTrainStep(b *testing.B, c Config, p tensor.Precision, n int, flops float64) {
	dev := tensor.CPU()
	if note, _ := dev.GemmPrecision(p); note != "" {
		b.Log(note)
	}
	c.Precision = p
	m, err := New(dev, c)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Free()
	x, labels := batch(dev, c, n)
	m.TrainStep(x, labels) // allocates the buffers
	b.ResetTimer()
	for b.Loop() {
		loss, _ := m.TrainStep(x, labels)
		if _, err := loss.Float32s(); err != nil {
			b.Fatal(err)
		}
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(n)/s, "images/s")
	b.ReportMetric(float64(n)*flops/s/1e9, "GFLOP/s")
}
