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

// TestPointwiseOnHost runs the elementwise kernels the op tables name
// (unary.cu, elementwise.cu, relu.cu) and average pooling (avgpool.cu)
// without a GPU (internal/hostrun) and compares them with the CPU
// device's: functions over [-30, 30] and at 80 and -100, their gradients from
// the CPU's outputs, sums, differences and products, and overlapping,
// padded pooling windows.
func TestPointwiseOnHost(t *testing.T) {
	bin := hostrun.Build(t)
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
			kernelCase{unaryGradKernels[op], [][]float32{dys, read(t, y)}, dx})
	}
	for _, op := range []tensor.BinaryOp{tensor.OpAdd, tensor.OpSub, tensor.OpMul} {
		z := tensor.Zeros(cpu, n)
		cpu.Binary(op, z, x, dy)
		cases = append(cases, kernelCase{binaryKernels[op], [][]float32{xs, dys}, z})
	}
	relu, drelu := tensor.Zeros(cpu, n), tensor.Zeros(cpu, n)
	cpu.ReLU(relu, x)
	cpu.ReLUGrad(drelu, dy, relu)
	cases = append(cases, kernelCase{"relu_f32", [][]float32{xs}, relu}, kernelCase{"relu_grad_f32", [][]float32{dys, read(t, relu)}, drelu})

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
		if e := relErr(hostrun.Floats(t, lines[i]), read(t, c.want)); !(e <= 1e-6) {
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
		hostrun.WriteArray(&in, read(t, xp))
		hostrun.WriteArray(&in, read(t, g))
		lines := hostrun.Run(t, bin, &in)
		if len(lines) != 2 {
			t.Fatalf("avgpool %v: %d lines", w, len(lines))
		}
		if e := relErr(hostrun.Floats(t, lines[0]), read(t, y)); !(e <= 1e-6) {
			t.Errorf("avgpool %v: y: relative error %.3g from the CPU's", w, e)
		}
		if e := relErr(hostrun.Floats(t, lines[1]), read(t, dx)); !(e <= 1e-6) {
			t.Errorf("avgpool %v: dx: relative error %.3g from the CPU's", w, e)
		}
	}
}
