package nn

import "github.com/tensorforge/tensorforge/tensor"

// ReLU is max(x, 0), computed in place: its output replaces its input, as
// PyTorch's ReLU(inplace=True) does, because the layers before it (conv,
// linear, pool) do not need their output for their backward, and a copy
// of AlexNet's first activation alone would be 143 MB at batch 128. Its
// backward reads that output and overwrites dy.
type ReLU struct {
	y *tensor.Tensor
}

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Setup implements Layer.
func (r *ReLU) Setup(in []int) []int { return in }

// Kind implements Layer.
func (r *ReLU) Kind() string { return "relu" }

// Cost implements Layer: no FLOPs counted, and no memory of its own.
func (r *ReLU) Cost() Cost { return Cost{} }

// Free implements Layer: the layer has no buffers.
func (r *ReLU) Free() { r.y = nil }

// String implements Layer.
func (r *ReLU) String() string { return "ReLU()" }

// Forward implements Layer; it overwrites x and returns it.
func (r *ReLU) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	tensor.ReLU(x, x)
	r.y = x
	return x
}

// Backward implements Layer; it overwrites dy and returns it.
func (r *ReLU) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	if !wantDX {
		return nil
	}
	tensor.ReLUGrad(dy, dy, r.y)
	return dy
}
