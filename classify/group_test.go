package classify

import (
	"context"
	"errors"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// twins is a Group of two processes that hold the same values, simulated
// in one: a sum over it doubles every value.
type twins struct{ sums int }

func (*twins) Rank() int                 { return 0 }
func (*twins) Size() int                 { return 2 }
func (*twins) Broadcast([]float32) error { return nil }
func (g *twins) SumAll(buf []float32) error {
	g.sums++
	for i := range buf {
		buf[i] *= 2
	}
	return nil
}

// TestSumGradientsChunks checks that the pipelined all-reduce of the
// gradient arena, in chunks that do not divide it, sums every element once:
// weighted by a half and summed over twins, each gradient is unchanged.
func TestSumGradientsChunks(t *testing.T) {
	defer func(c int) { gradChunk = c }(gradChunk)
	gradChunk = 1000
	m := newTiny(t, tiny)
	defer m.Free()
	_, grads := m.net.Arena()
	want := make([]float32, grads.Len())
	tensor.FillUniform(want, 5, -1, 1)
	grads.CopyFrom(want)
	g := &twins{}
	if err := m.sumGradients(g, 0.5); err != nil {
		t.Fatal(err)
	}
	got, err := grads.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("gradient %d is %v, want %v", i, got[i], want[i])
		}
	}
	if chunks := (len(want) + gradChunk - 1) / gradChunk; g.sums != chunks || chunks < 3 {
		t.Errorf("%d all-reduces of %d gradients in chunks of %d, want %d (at least 3)", g.sums, len(want), gradChunk, chunks)
	}
}

// TestShare checks that the shares of a batch cover it, in rank order,
// each within one image of the others.
func TestShare(t *testing.T) {
	for _, n := range []int{1, 2, 7, 15, 128} {
		for size := 1; size <= 4; size++ {
			next := 0
			for r := range size {
				lo, hi := share(n, r, size)
				if lo != next || hi < lo || hi-lo > n/size+1 || hi-lo < n/size {
					t.Fatalf("n %d over %d: rank %d takes [%d, %d) after %d", n, size, r, lo, hi, next)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("n %d over %d: the shares end at %d", n, size, next)
			}
		}
	}
}

// TestStepTooSmall checks that a run whose last step, or one process's
// share of a step, would hand batch normalisation a single value is
// refused before any step, and that one that would not is not.
func TestStepTooSmall(t *testing.T) {
	net := func() *nn.Sequential {
		return nn.NewSequential(nn.NewFlatten(), nn.NewLinear(8), nn.NewBatchNorm1d(), nn.NewLinear(10))
	}
	for _, tc := range []struct {
		limit, batch int
		g            Group
		refuse       bool
	}{
		{9, 4, nil, true},       // 4, 4, then 1
		{10, 4, nil, false},     // 4, 4, 2
		{8, 2, &twins{}, true},  // shares of 1
		{8, 4, &twins{}, false}, // shares of 2
	} {
		m, err := New(tensor.CPU(), net(), Config{Input: []int{1, 12, 12}, Seed: 1, SGD: tensor.SGDOptions{LR: 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		d := synthetic(tc.limit, 12)
		_, err = Train(context.Background(), m, d, d, TrainOptions{Epochs: 1, Batch: tc.batch, Group: tc.g})
		if got := errors.Is(err, ErrStepTooSmall); got != tc.refuse {
			t.Errorf("%d images in batches of %d (group %v): %v, want refused %v", tc.limit, tc.batch, tc.g != nil, err, tc.refuse)
		}
		m.Free()
	}
}
