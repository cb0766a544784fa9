package alexnet

import (
	"fmt"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// BenchmarkTrainStep times the book's AlexNet training step (224x224,
// 10 classes) on the CPU and reports images/s and GFLOP/s of the matrix
// products. Run with -benchtime=Nx: a batch-128 step takes seconds.
func BenchmarkTrainStep(b *testing.B) {
	c := Config{InChannels: 1, Size: 224, Classes: 10, Seed: 1}
	rows, err := Summary(c)
	if err != nil {
		b.Fatal(err)
	}
	_, fwd, bwd := nn.Totals(rows)
	for _, n := range []int{16, 128} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			dev := tensor.CPU()
			m, err := New(dev, c)
			if err != nil {
				b.Fatal(err)
			}
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
			b.ReportMetric(float64(n)*float64(fwd+bwd)/s/1e9, "GFLOP/s")
		})
	}
}
