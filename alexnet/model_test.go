package alexnet

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// small is a configuration quick enough for tests: the smallest input and
// narrow hidden layers, the convolutions as in the book.
var small = Config{InChannels: 1, Size: MinSize, Classes: 10, Hidden: 32, Seed: 1, SGD: tensor.SGDOptions{LR: 0.05}}

func batch(dev tensor.Device, c Config, n int) (x, labels *tensor.Tensor) {
	x = tensor.RandUniform(dev, 9, 0, 1, n, c.InChannels, c.Size, c.Size)
	l := make([]int32, n)
	for i := range l {
		l[i] = int32(i % c.Classes)
	}
	return x, tensor.FromSlice(dev, l, n)
}

func TestParamNames(t *testing.T) {
	m, err := New(tensor.CPU(), small)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
	}
	var want []string
	for _, i := range []int{0, 3, 6, 8, 10, 14, 17, 20} {
		want = append(want, fmt.Sprintf("net.%d.weight", i), fmt.Sprintf("net.%d.bias", i))
	}
	if !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	if got := m.Params()[10].Value.Shape(); !slices.Equal(got, []int{32, 256}) {
		t.Errorf("net.14.weight %v, want [32 256]", got)
	}
}

// TestTrainStep checks that steps on one batch lower its loss, that the
// results are reproducible from the seed, and that a resumed step count
// draws the same dropout masks.
func TestTrainStep(t *testing.T) {
	dev := tensor.CPU()
	x, labels := batch(dev, small, 4)
	run := func(steps int, from uint64) []float32 {
		m, err := New(dev, small)
		if err != nil {
			t.Fatal(err)
		}
		m.SetStep(from)
		var losses []float32
		for range steps {
			loss, correct := m.TrainStep(x, labels)
			l, _ := loss.Float32s()
			c, _ := correct.Int32s()
			if c[0] < 0 || c[0] > 4 || math.IsNaN(float64(l[0])) {
				t.Fatalf("loss %v, correct %d", l[0], c[0])
			}
			losses = append(losses, l[0])
		}
		if m.Step() != from+uint64(steps) {
			t.Errorf("step %d after %d steps from %d", m.Step(), steps, from)
		}
		return losses
	}
	a, b := run(8, 0), run(8, 0)
	if !slices.Equal(a, b) {
		t.Errorf("two runs from one seed differ: %v and %v", a, b)
	}
	if !(a[7] < a[0]) {
		t.Errorf("loss did not fall on a fixed batch: %v", a)
	}
	if c, d := run(1, 5), run(1, 6); c[0] == d[0] {
		t.Errorf("steps 5 and 6 drew the same dropout: loss %v", c[0])
	}
}

func TestEval(t *testing.T) {
	m, err := New(tensor.CPU(), small)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := batch(tensor.CPU(), small, 3)
	logits, loss, correct := m.Eval(x, nil)
	if loss != nil || correct != nil || !slices.Equal(logits.Shape(), []int{3, 10}) {
		t.Fatalf("Eval without labels: logits %v, loss %v, correct %v", logits.Shape(), loss, correct)
	}
	first, _ := logits.Float32s()
	// No dropout in evaluation: the same batch gives the same logits.
	logits, loss, _ = m.Eval(x, labels)
	again, _ := logits.Float32s()
	if !slices.Equal(first, again) {
		t.Error("two evaluations of one batch differ")
	}
	l, _ := loss.Float32s()
	if !(l[0] > 0) {
		t.Errorf("loss %v", l[0])
	}
}
