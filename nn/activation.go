package nn

import "github.com/tensorforge/tensorforge/tensor"

// Sigmoid is 1/(1+e^-x), computed in place like ReLU (see there): its
// backward needs only its output, y(1-y).
type Sigmoid struct{ pointwise }

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid() *Sigmoid {
	return &Sigmoid{pointwise{kind: "sigmoid", f: tensor.Sigmoid, grad: tensor.SigmoidGrad}}
}

// String implements Layer.
func (*Sigmoid) String() string { return "Sigmoid()" }

// Tanh is the hyperbolic tangent, computed in place like Sigmoid: its
// backward needs only its output, 1-y².
type Tanh struct{ pointwise }

// NewTanh returns a Tanh layer.
func NewTanh() *Tanh {
	return &Tanh{pointwise{kind: "tanh", f: tensor.Tanh, grad: tensor.TanhGrad}}
}

// String implements Layer.
func (*Tanh) String() string { return "Tanh()" }

// pointwise is an in-place elementwise layer whose derivative is a
// function of its output: ReLU, Sigmoid, Tanh.
type pointwise struct {
	kind string
	f    func(y, x *tensor.Tensor)
	grad func(dx, dy, y *tensor.Tensor)
	y    *tensor.Tensor // the last Forward's output
	// applied: the layer before applies f to its own output (a
	// convolution's fused ReLU, see Sequential.fuse), so Forward only
	// keeps it for Backward. passed: the layer after applies the gradient
	// (its backward masks with this layer's output), so Backward passes
	// dy through.
	applied, passed bool
}

// Setup implements Layer.
func (p *pointwise) Setup(in []int) []int { return in }

// inPlace marks the layer for Sequential's check of layer order.
func (p *pointwise) inPlace() {}

// Kind implements Layer.
func (p *pointwise) Kind() string { return p.kind }

// Cost implements Layer: no FLOPs counted, and no memory of its own.
func (p *pointwise) Cost() Cost { return Cost{} }

// Free implements Layer: the layer has no buffers.
func (p *pointwise) Free() { p.y = nil }

// Forward implements Layer; it overwrites x and returns it.
func (p *pointwise) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	if !p.applied {
		p.f(x, x)
	}
	p.y = x
	return x
}

// Backward implements Layer; it overwrites dy and returns it.
func (p *pointwise) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	if !wantDX {
		return nil
	}
	if !p.passed {
		p.grad(dy, dy, p.y)
	}
	return dy
}
