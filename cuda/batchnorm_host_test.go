//go:build cuda

package cuda

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/internal/hostrun"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestBatchNormOnHost runs kernels/batchnorm.cu without a GPU
// (internal/hostrun), launched as BatchNorm and BatchNormGrad launch it,
// and compares every output with the CPU device's, in training and in
// evaluation: [N, C] and [N, C, ...] shapes, channels of fewer values than
// a block has threads and of several values a thread, means far from 0.
func TestBatchNormOnHost(t *testing.T) {
	bin := hostrun.Build(t)
	cpu := tensor.CPU()
	for i, shape := range [][]int{{16, 5}, {3, 4, 5}, {4, 3, 9, 7}, {2, 1, 33, 40}, {7, 2, 1, 1}} {
		for _, train := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v train:%v", shape, train), func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(i), 6))
				n, c, s := shape[0], shape[1], 1
				for _, d := range shape[2:] {
					s *= d
				}
				uniform := func(k int, lo, hi float32) []float32 {
					v := make([]float32, k)
					for j := range v {
						v[j] = lo + (hi-lo)*r.Float32()
					}
					return v
				}
				xs := uniform(n*c*s, -1, 1)
				for j := range xs {
					xs[j] += float32(j/s%c) * 7 // a channel's mean far from 0
				}
				scale, shift := uniform(c, 0.5, 1.5), uniform(c, -1, 1)
				rm, rv := uniform(c, -1, 1), uniform(c, 0.5, 2)
				dys := uniform(n*c*s, -1, 1)
				ds0, dh0 := uniform(c, -1, 1), uniform(c, -1, 1)
				const eps, momentum = 1e-5, 0.1

				a := &tensor.BatchNormArgs{
					X: tensor.FromSlice(cpu, xs, shape...), Y: tensor.Zeros(cpu, shape...),
					Scale: tensor.FromSlice(cpu, scale, c), Shift: tensor.FromSlice(cpu, shift, c),
					Mean: tensor.Zeros(cpu, c), InvStd: tensor.Zeros(cpu, c),
					RunningMean: tensor.FromSlice(cpu, rm, c), RunningVar: tensor.FromSlice(cpu, rv, c),
					Train: train, Eps: eps, Momentum: momentum,
					DY: tensor.FromSlice(cpu, dys, shape...), DX: tensor.Zeros(cpu, shape...),
					DScale: tensor.FromSlice(cpu, ds0, c), DShift: tensor.FromSlice(cpu, dh0, c),
				}
				tensor.BatchNorm(a)
				tensor.BatchNormGrad(a)

				var in bytes.Buffer
				trainFlag := 0
				if train {
					trainFlag = 1
				}
				fmt.Fprintf(&in, "batchnorm %d %d %d %d %g %g\n", trainFlag, n, c, s, float32(eps), float32(momentum))
				for _, v := range [][]float32{xs, scale, shift, rm, rv, dys, ds0, dh0} {
					hostrun.WriteArray(&in, v)
				}
				lines := hostrun.Run(t, bin, &in)
				want := []struct {
					name string
					t    *tensor.Tensor
				}{{"Y", a.Y}, {"Mean", a.Mean}, {"InvStd", a.InvStd}, {"RunningMean", a.RunningMean},
					{"RunningVar", a.RunningVar}, {"DX", a.DX}, {"DScale", a.DScale}, {"DShift", a.DShift}}
				if len(lines) != len(want) {
					t.Fatalf("%d lines, want %d", len(lines), len(want))
				}
				for j, w := range want {
					if e := relErr(hostrun.Floats(t, lines[j]), read(t, w.t)); !(e <= 1e-5) {
						t.Errorf("%s: relative error %.3g from the CPU's", w.name, e)
					}
				}
			})
		}
	}
}
