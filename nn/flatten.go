package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// Flatten reshapes [N, d1, d2, ...] to [N, d1*d2*...] without copying.
type Flatten struct {
	in     []int
	x, y   *tensor.Tensor // cached views: a reshape is a heap object
	dy, dx *tensor.Tensor
}

// NewFlatten returns a Flatten layer.
func NewFlatten() *Flatten { return &Flatten{} }

// Setup implements Layer.
func (f *Flatten) Setup(in []int) []int {
	f.in = append(f.in[:0], in...)
	return []int{numel(in)}
}

// Kind implements Layer.
func (f *Flatten) Kind() string { return "flatten" }

// Cost implements Layer: a view, nothing computed or kept.
func (f *Flatten) Cost() Cost { return Cost{} }

// Free implements Layer: the layer has no buffers.
func (f *Flatten) Free() { f.x, f.y, f.dy, f.dx = nil, nil, nil, nil }

// String implements Layer.
func (f *Flatten) String() string { return "Flatten(start_dim=1, end_dim=-1)" }

// Forward implements Layer.
func (f *Flatten) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	if x.Len() != x.Dim(0)*numel(f.in) {
		panic(fmt.Sprintf("nn: Flatten set up for samples %v got input %v", f.in, x.Shape()))
	}
	if x != f.x {
		f.x, f.y = x, x.Reshape(x.Dim(0), numel(f.in))
	}
	return f.y
}

// view marks the layer for Sequential's check of layer order: its output
// is its input, reshaped.
func (f *Flatten) view() {}

// Backward implements Layer.
func (f *Flatten) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	if !wantDX {
		return nil
	}
	if dy != f.dy {
		f.dy, f.dx = dy, dy.Reshape(f.x.Shape()...)
	}
	return f.dx
}
