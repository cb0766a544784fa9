package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// Linear is a fully connected layer, y = x W^T + b, with PyTorch's weight
// layout [out, in].
type Linear struct {
	Out int // output features
	// WeightInit and BiasInit start the parameters; nil means D2L's
	// init_cnn: Xavier-uniform weights and zero biases.
	WeightInit, BiasInit Init

	in     int
	w, b   *tensor.Tensor
	dw, db *tensor.Tensor
	x      *tensor.Tensor // the last Forward's input, for Backward
	y      batchBuf
	dx     gradBuf
	g      tensor.GemmArgs  // reused so a call allocates nothing
	prec   tensor.Precision // of every product (see BuildOptions)

	paramGrads // whether Backward overwrites the gradients (see gradOverwriter)
}

// NewLinear returns a fully connected layer to out features; the input
// features come from the first input.
func NewLinear(out int) *Linear { return &Linear{Out: out} }

func (l *Linear) usePrecision(p tensor.Precision) { l.prec = p }

// Setup implements Layer: in is [features].
func (l *Linear) Setup(in []int) []int {
	if len(in) != 1 {
		panic(fmt.Sprintf("nn: Linear input sample %v, want [features] (Flatten first)", in))
	}
	l.in = in[0]
	return []int{l.Out}
}

// ParamSpecs implements Parametric.
func (l *Linear) ParamSpecs() []ParamSpec {
	return []ParamSpec{
		{Name: "weight", Shape: []int{l.Out, l.in}, FanIn: l.in, FanOut: l.Out, Init: weightInit(l.WeightInit)},
		{Name: "bias", Shape: []int{l.Out}, FanIn: l.in, FanOut: l.Out, Init: l.BiasInit},
	}
}

// Attach implements Parametric.
func (l *Linear) Attach(params, grads []*tensor.Tensor) {
	l.w, l.b, l.dw, l.db = params[0], params[1], grads[0], grads[1]
}

// Kind implements Layer.
func (l *Linear) Kind() string { return "fc" }

// Cost implements Layer: the forward GEMM and backward's two.
func (l *Linear) Cost() Cost {
	f := 2 * int64(l.in) * int64(l.Out)
	return Cost{ForwardFLOPs: f, BackwardFLOPs: 2 * f, ActivationBytes: 4 * int64(l.Out)}
}

// Free implements Layer.
func (l *Linear) Free() {
	l.y.free()
	l.dx.free()
	l.x = nil
}

// inputGrad implements gradWriter.
func (l *Linear) inputGrad() *gradBuf { return &l.dx }

// String implements Layer.
func (l *Linear) String() string {
	return fmt.Sprintf("Linear(in_features=%d, out_features=%d)", l.in, l.Out)
}

// Forward implements Layer.
func (l *Linear) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	if x.Rank() != 2 || x.Dim(1) != l.in {
		panic(fmt.Sprintf("nn: Linear set up for %d features got input %v", l.in, x.Shape()))
	}
	l.x = x
	n := x.Dim(0)
	y := l.y.get(x.Device(), tensor.Float32, n, []int{l.Out})
	// y [n, out] = x [n, in] * W^T
	l.g = tensor.GemmArgs{TransB: true, M: n, N: l.Out, K: l.in, Alpha: 1,
		A: x, LDA: l.in, B: l.w, LDB: l.in, C: y, LDC: l.Out, Precision: l.prec}
	tensor.Gemm(&l.g)
	tensor.BiasAdd(y, l.b)
	return y
}

// Backward implements Layer.
func (l *Linear) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	n := l.x.Dim(0)
	beta := l.gradBeta()
	tensor.BiasGrad(l.db, dy, beta)
	// dW [out, in] = beta*dW + dy^T [out, n] * x [n, in]
	l.g = tensor.GemmArgs{TransA: true, M: l.Out, N: l.in, K: n, Alpha: 1, Beta: beta,
		A: dy, LDA: l.Out, B: l.x, LDB: l.in, C: l.dw, LDC: l.in, Precision: l.prec}
	tensor.Gemm(&l.g)
	if !wantDX {
		return nil
	}
	// dx [n, in] = dy [n, out] * W [out, in]
	dx := l.dx.get(dy.Device(), n, []int{l.in})
	l.g = tensor.GemmArgs{M: n, N: l.in, K: l.Out, Alpha: 1,
		A: dy, LDA: l.Out, B: l.w, LDB: l.in, C: dx, LDC: l.in, Precision: l.prec}
	tensor.Gemm(&l.g)
	return dx
}
