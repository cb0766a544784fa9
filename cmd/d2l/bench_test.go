package main

import (
	"fmt"
	"testing"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// BenchmarkTrainStep times each network's training step on the CPU at
// its recipe's batch and input size (TrainStep/resnet18/precision=fp32),
// in each precision, and reports images/s and the GFLOP/s of its matrix
// products. Run one model at a time with -benchtime=Nx: NiN's and
// ResNet-18's steps take seconds.
func BenchmarkTrainStep(b *testing.B) {
	for _, m := range models {
		for _, p := range tensor.Precisions {
			b.Run(fmt.Sprintf("%s/precision=%v", m.Name, p), func(b *testing.B) { benchTrainStep(b, m, p) })
		}
	}
}

func benchTrainStep(b *testing.B, r classify.Recipe, p tensor.Precision) {
	dev := tensor.CPU()
	if note, _ := dev.GemmPrecision(p); note != "" {
		b.Log(note)
	}
	m, err := classify.New(dev, r.Net(fashionmnist.NumClasses), classify.Config{
		Input: r.Input, Seed: 1, Precision: p, SGD: tensor.SGDOptions{LR: float32(r.LR)}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Free()
	_, fwd, bwd := nn.Totals(m.Net().Summary())
	n := r.Batch
	x := tensor.RandUniform(dev, 9, 0, 1, append([]int{n}, r.Input...)...)
	l := make([]int32, n)
	for i := range l {
		l[i] = int32(i % fashionmnist.NumClasses)
	}
	labels := tensor.FromSlice(dev, l, n)
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
}
