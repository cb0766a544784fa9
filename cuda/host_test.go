//go:build cuda

package cuda

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/internal/hostrun"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// TestKernelsOnHost runs kernels the GPU device launches on the CPU,
// without a GPU: internal/hostrun compiles them as C++ with stand-ins for
// the GPU (kernels/internal/hostcheck), once for all the subtests.
func TestKernelsOnHost(t *testing.T) {
	bin := hostrun.Build(t)
	t.Run("reduce", func(t *testing.T) { checkReduce(t, bin) })
	t.Run("batchnorm", func(t *testing.T) { checkBatchNorm(t, bin) })
	t.Run("bias", func(t *testing.T) { checkBiasGrad(t, bin) })
	t.Run("pointwise", func(t *testing.T) { checkPointwise(t, bin) })
	t.Run("copyblocks", func(t *testing.T) { checkCopyBlocks(t, bin) })
}

// checkCopyBlocks runs copy_blocks_f32 as CopyBlocks launches it, on
// blocks that do not divide the grid's threads, with offsets and strides
// that leave gaps on both sides, and as Concat and Split use it, and
// compares what it leaves in dst, gaps included, with the CPU device's.
func checkCopyBlocks(t *testing.T, bin string) {
	cpu := tensor.CPU()
	for i, b := range []tensor.Blocks{
		{Count: 3, Len: 37, DstOff: 5, DstStride: 50, SrcOff: 2, SrcStride: 41},
		{Count: 7, Len: 1, DstOff: 0, DstStride: 3, SrcOff: 1, SrcStride: 2},
		{Count: 2, Len: 200, DstOff: 13, DstStride: 213, SrcOff: 0, SrcStride: 200},
		{Count: 5, Len: 36, DstOff: 72, DstStride: 144, SrcOff: 0, SrcStride: 36},
	} {
		dst := tensor.RandUniform(cpu, uint64(i), -1, 1, b.DstOff+(b.Count-1)*b.DstStride+b.Len+3)
		src := tensor.RandUniform(cpu, uint64(i)+10, -1, 1, b.SrcOff+(b.Count-1)*b.SrcStride+b.Len+2)
		var in bytes.Buffer
		fmt.Fprintf(&in, "copyblocks %d %d %d %d %d %d\n", b.Count, b.Len, b.DstOff, b.DstStride, b.SrcOff, b.SrcStride)
		hostrun.WriteArray(&in, devicetest.Floats(t, dst))
		hostrun.WriteArray(&in, devicetest.Floats(t, src))
		lines := hostrun.Run(t, bin, &in)
		if len(lines) != 1 {
			t.Fatalf("%+v: %d lines", b, len(lines))
		}
		cpu.CopyBlocks(dst, src, b)
		if got, want := hostrun.Floats(t, lines[0]), devicetest.Floats(t, dst); !slices.Equal(got, want) {
			t.Errorf("%+v: dst differs from the CPU's: %s", b, firstDiff(got, want))
		}
	}
}

// checkReduce runs kernels/reduce.cu pass after pass with the layouts
// planReduce gives, as Reduce launches them, and compares the sums
// and maxima with the CPU device's: a long axis split over many blocks and
// two passes, lanes along a wide inner axis, rows of blocks, size-1 axes,
// and a NaN that the maximum must keep.
func checkReduce(t *testing.T, bin string) {
	cpu := tensor.CPU()
	for i, s := range [][3]int{{1, 100_000, 1}, {3, 5000, 7}, {2, 9, 300}, {50, 1, 3}, {4, 700, 33}, {1, 1, 1}, {37, 64, 2}} {
		outer, n, inner := s[0], s[1], s[2]
		r := rand.New(rand.NewPCG(uint64(i), 5))
		xs := make([]float32, outer*n*inner)
		for j := range xs {
			xs[j] = r.Float32()*2 - 1
		}
		for op, name := range map[tensor.ReduceOp]string{tensor.OpSum: "sum", tensor.OpMax: "max"} {
			t.Run(fmt.Sprintf("%s %dx%dx%d", name, outer, n, inner), func(t *testing.T) {
				src := slices.Clone(xs)
				if i == 4 && op == tensor.OpMax {
					src[len(src)/2] = float32(math.NaN())
				}
				want := tensor.Zeros(cpu, outer*inner)
				cpu.Reduce(op, want, tensor.FromSlice(cpu, src, len(src)), outer, n, inner)
				o, m, k := int64(outer), int64(n), int64(inner)
				for {
					p := planReduce(o, m, k)
					var in bytes.Buffer
					fmt.Fprintf(&in, "reduce %s %d %d %d %d %d %d %d %d %d\n", name, o, m, k, p.chunk, p.splits, p.w, p.r, p.q,
						min(p.blocks, maxBlocks))
					hostrun.WriteArray(&in, src)
					lines := hostrun.Run(t, bin, &in)
					if len(lines) != 1 {
						t.Fatalf("%d lines", len(lines))
					}
					src = hostrun.Floats(t, lines[0])
					if p.splits == 1 {
						break
					}
					m = p.splits
				}
				w := devicetest.Floats(t, want)
				if op == tensor.OpMax {
					if !slices.EqualFunc(src, w, func(a, b float32) bool { return a == b || a != a && b != b }) {
						t.Errorf("maxima differ from the CPU's: %s", firstDiff(src, w))
					}
					return
				}
				if e := devicetest.RelErr(src, w); !(e <= 1e-6) {
					t.Errorf("sums: relative error %.3g from the CPU's", e)
				}
			})
		}
	}
}

// checkBiasGrad runs kernels/bias.cu's gradient as BiasGrad launches it
// and compares db with the CPU device's: a Linear layer's [N, C] and
// convolutions' planes, a channel of more values than a block unrolls in
// one pass, db added into (beta 1) or, NaN at first, written (beta 0).
func checkBiasGrad(t *testing.T, bin string) {
	cpu := tensor.CPU()
	for i, shape := range [][]int{{128, 37}, {3, 5, 7, 9}, {2, 3, 71, 60}, {1, 1}} {
		beta := float32(i % 2)
		t.Run(fmt.Sprintf("%v beta:%v", shape, beta), func(t *testing.T) {
			c := shape[1]
			dy := tensor.RandUniform(cpu, uint64(i), -1, 1, shape...)
			db0 := devicetest.Floats(t, tensor.RandUniform(cpu, uint64(i)+10, -1, 1, c))
			if beta == 0 {
				for j := range db0 {
					db0[j] = float32(math.NaN())
				}
			}
			db := tensor.FromSlice(cpu, slices.Clone(db0), c)
			cpu.BiasGrad(db, dy, beta)
			var in bytes.Buffer
			fmt.Fprintf(&in, "bias %d %d %d %g\n", shape[0], c, dy.Len()/shape[0]/c, beta)
			hostrun.WriteArray(&in, devicetest.Floats(t, dy))
			hostrun.WriteArray(&in, db0)
			lines := hostrun.Run(t, bin, &in)
			if len(lines) != 1 {
				t.Fatalf("%d lines, want 1", len(lines))
			}
			if e := devicetest.RelErr(hostrun.Floats(t, lines[0]), devicetest.Floats(t, db)); !(e <= 1e-6) {
				t.Errorf("db: relative error %.3g from the CPU's", e)
			}
		})
	}
}

// checkBatchNorm runs kernels/batchnorm.cu, launched as BatchNorm and
// BatchNormGrad launch it, and compares every output with the CPU device's, in training and in
// evaluation: [N, C] and [N, C, ...] shapes, channels of fewer values than
// a block has threads and of several values a thread, means far from 0;
// DScale and DShift added into (beta 1) or, NaN at first, written (beta 0).
func checkBatchNorm(t *testing.T, bin string) {
	cpu := tensor.CPU()
	for i, shape := range [][]int{{16, 5}, {3, 4, 5}, {4, 3, 9, 7}, {2, 1, 33, 40}, {7, 2, 1, 1}} {
		for _, train := range []bool{true, false} {
			beta := float32(i % 2)
			t.Run(fmt.Sprintf("%v train:%v beta:%v", shape, train, beta), func(t *testing.T) {
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
				if beta == 0 {
					for j := range c {
						ds0[j], dh0[j] = float32(math.NaN()), float32(math.NaN())
					}
				}
				const eps, momentum = 1e-5, 0.1

				a := &tensor.BatchNormArgs{
					X: tensor.FromSlice(cpu, xs, shape...), Y: tensor.Zeros(cpu, shape...),
					Scale: tensor.FromSlice(cpu, scale, c), Shift: tensor.FromSlice(cpu, shift, c),
					Mean: tensor.Zeros(cpu, c), InvStd: tensor.Zeros(cpu, c),
					RunningMean: tensor.FromSlice(cpu, rm, c), RunningVar: tensor.FromSlice(cpu, rv, c),
					Train: train, Eps: eps, Momentum: momentum,
					DY: tensor.FromSlice(cpu, dys, shape...), DX: tensor.Zeros(cpu, shape...),
					DScale: tensor.FromSlice(cpu, ds0, c), DShift: tensor.FromSlice(cpu, dh0, c), GradBeta: beta,
				}
				tensor.BatchNorm(a)
				tensor.BatchNormGrad(a)

				var in bytes.Buffer
				trainFlag := 0
				if train {
					trainFlag = 1
				}
				fmt.Fprintf(&in, "batchnorm %d %d %d %d %g %g %g\n", trainFlag, n, c, s, float32(eps), float32(momentum), beta)
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
					if e := devicetest.RelErr(hostrun.Floats(t, lines[j]), devicetest.Floats(t, w.t)); !(e <= 1e-5) {
						t.Errorf("%s: relative error %.3g from the CPU's", w.name, e)
					}
				}
			})
		}
	}
}

// checkPointwise runs the elementwise kernels the op tables name
// (unary.cu, elementwise.cu, relu.cu) and average pooling (avgpool.cu) and
// compares them with the CPU device's: functions over [-30, 30] and at 80
// and -100, their gradients from the CPU's outputs, sums, differences and
// products, and overlapping, padded pooling windows.
func checkPointwise(t *testing.T, bin string) {
	cpu := tensor.CPU()
	r := rand.New(rand.NewPCG(7, 7))
	const n = 3001
	uniform := func(lo, hi float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = lo + (hi-lo)*r.Float32()
		}
		v[0], v[1], v[2] = 0, 80, -100
		return v
	}
	xs, dys := uniform(-30, 30), uniform(-1, 1)
	x, dy := tensor.FromSlice(cpu, xs, n), tensor.FromSlice(cpu, dys, n)
	type kernelCase struct {
		name string
		in   [][]float32
		want *tensor.Tensor
	}
	var cases []kernelCase
	for _, op := range []tensor.UnaryOp{tensor.OpExp, tensor.OpSigmoid, tensor.OpTanh} {
		y, dx := tensor.Zeros(cpu, n), tensor.Zeros(cpu, n)
		cpu.Unary(op, y, x)
		cpu.UnaryGrad(op, dx, dy, y)
		cases = append(cases, kernelCase{unaryKernels[op], [][]float32{xs}, y},
			kernelCase{unaryGradKernels[op], [][]float32{dys, devicetest.Floats(t, y)}, dx})
	}
	for _, op := range []tensor.BinaryOp{tensor.OpAdd, tensor.OpSub, tensor.OpMul} {
		z := tensor.Zeros(cpu, n)
		cpu.Binary(op, z, x, dy)
		cases = append(cases, kernelCase{binaryKernels[op], [][]float32{xs, dys}, z})
	}
	relu, drelu := tensor.Zeros(cpu, n), tensor.Zeros(cpu, n)
	cpu.ReLU(relu, x)
	cpu.ReLUGrad(drelu, dy, relu)
	cases = append(cases, kernelCase{"relu_f32", [][]float32{xs}, relu}, kernelCase{"relu_grad_f32", [][]float32{dys, devicetest.Floats(t, relu)}, drelu})

	var in bytes.Buffer
	for _, c := range cases {
		fmt.Fprintf(&in, "pointwise %s\n", c.name)
		for _, a := range c.in {
			hostrun.WriteArray(&in, a)
		}
	}
	lines := hostrun.Run(t, bin, &in)
	if len(lines) != len(cases) {
		t.Fatalf("%d lines for %d kernels", len(lines), len(cases))
	}
	for i, c := range cases {
		if e := devicetest.RelErr(hostrun.Floats(t, lines[i]), devicetest.Floats(t, c.want)); !(e <= 1e-6) {
			t.Errorf("%s: relative error %.3g from the CPU's", c.name, e)
		}
	}

	for _, w := range []tensor.Window{tensor.Square(2, 2, 0), tensor.Square(3, 2, 1), {KH: 5, KW: 2, SH: 1, SW: 3, PH: 2, PW: 1}} {
		shape := []int{2, 3, 13, 11}
		xp := tensor.RandUniform(cpu, 8, -1, 1, shape...)
		out := tensor.PoolOut(shape, w)
		y, g := tensor.Zeros(cpu, out...), tensor.RandUniform(cpu, 9, -1, 1, out...)
		dx := tensor.Zeros(cpu, shape...)
		cpu.AvgPool(y, xp, w)
		cpu.AvgPoolGrad(dx, g, w)
		var in bytes.Buffer
		fmt.Fprintf(&in, "avgpool %d %d %d %d %d %d %d %d %d\n", shape[0]*shape[1], shape[2], shape[3], w.KH, w.KW, w.SH, w.SW, w.PH, w.PW)
		hostrun.WriteArray(&in, devicetest.Floats(t, xp))
		hostrun.WriteArray(&in, devicetest.Floats(t, g))
		lines := hostrun.Run(t, bin, &in)
		if len(lines) != 2 {
			t.Fatalf("avgpool %v: %d lines", w, len(lines))
		}
		if e := devicetest.RelErr(hostrun.Floats(t, lines[0]), devicetest.Floats(t, y)); !(e <= 1e-6) {
			t.Errorf("avgpool %v: y: relative error %.3g from the CPU's", w, e)
		}
		if e := devicetest.RelErr(hostrun.Floats(t, lines[1]), devicetest.Floats(t, dx)); !(e <= 1e-6) {
			t.Errorf("avgpool %v: dx: relative error %.3g from the CPU's", w, e)
		}
	}
}
