package nn

import (
	"math"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

func TestCrossEntropy(t *testing.T) {
	const n, k = 5, 7
	l32, l64 := randHost(t, 3, n, k)
	for i := range l32 {
		l32[i] *= 4
		l64[i] *= 4
	}
	labels := []int32{0, 6, 3, 3, 1}
	wantCorrect := 0
	for i, label := range labels {
		best := 0
		for j := range k {
			if l64[i*k+j] > l64[i*k+best] {
				best = j
			}
		}
		if best == int(label) {
			wantCorrect++
		}
	}

	var ce CrossEntropy
	loss, correct := ce.Forward(tensor.FromSlice(tensor.CPU(), l32, n, k), tensor.FromSlice(tensor.CPU(), labels, n), true)
	gotLoss, _ := loss.Float32s()
	gotCorrect, _ := correct.Int32s()
	wantLoss := refCrossEntropy(l64, labels, k)
	if math.Abs(float64(gotLoss[0])-wantLoss) > 1e-5*wantLoss {
		t.Errorf("loss %v, want %v", gotLoss[0], wantLoss)
	}
	if int(gotCorrect[0]) != wantCorrect {
		t.Errorf("correct %d, want %d", gotCorrect[0], wantCorrect)
	}
	got, _ := ce.Backward().Float32s()
	want := centralDiff(l64, func() float64 { return refCrossEntropy(l64, labels, k) })
	if i := closeTo(got, want, 1e-5); i >= 0 {
		t.Errorf("dlogits[%d] = %v, want %v", i, got[i], want[i])
	}
}

func TestSGD(t *testing.T) {
	dev := tensor.CPU()
	p := tensor.FromSlice(dev, []float32{1, 2, 3}, 3)
	g := tensor.FromSlice(dev, []float32{0.5, -1, 2}, 3)

	plain := NewSGD(p, g, tensor.SGDOptions{LR: 0.1})
	if plain.Velocity() != nil {
		t.Error("plain SGD has a velocity")
	}
	plain.Step()
	got, _ := p.Float32s()
	if i := closeTo(got, []float64{0.95, 2.1, 2.8}, 1e-6); i >= 0 {
		t.Fatalf("plain step: p = %v", got)
	}

	// torch.optim.SGD: g' = g + wd*p; v = m*v + g'; p -= lr*v.
	mom := NewSGD(p, g, tensor.SGDOptions{LR: 0.1, Momentum: 0.9, WeightDecay: 0.01})
	p64, v64 := []float64{0.95, 2.1, 2.8}, make([]float64, 3)
	g64 := []float64{0.5, -1, 2}
	for range 2 {
		mom.Step()
		for i := range p64 {
			v64[i] = 0.9*v64[i] + g64[i] + 0.01*p64[i]
			p64[i] -= 0.1 * v64[i]
		}
	}
	got, _ = p.Float32s()
	if i := closeTo(got, p64, 1e-6); i >= 0 {
		t.Errorf("momentum steps: p = %v, want %v", got, p64)
	}
	vel, _ := mom.Velocity().Float32s()
	if i := closeTo(vel, v64, 1e-6); i >= 0 {
		t.Errorf("velocity %v, want %v", vel, v64)
	}
}
