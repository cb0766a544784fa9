package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// AvgPool2d takes the mean of each window, the padding counted as zeros
// (PyTorch's AvgPool2d with its default count_include_pad=True). Its
// backward needs no input: each window's gradient is spread evenly.
type AvgPool2d struct {
	Window tensor.Window // kernel, stride, padding

	global  bool // the window is the whole input map (NewGlobalAvgPool2d)
	in, out []int
	y       batchBuf
	dx      gradBuf
}

// NewAvgPool2d returns an average-pooling layer over the given window.
func NewAvgPool2d(w tensor.Window) *AvgPool2d { return &AvgPool2d{Window: w} }

// NewGlobalAvgPool2d returns an average-pooling layer whose one window is
// the whole input map, whatever its size (set by Setup): each channel's
// mean, an output of [C, 1, 1], as PyTorch's AdaptiveAvgPool2d((1, 1)).
func NewGlobalAvgPool2d() *AvgPool2d { return &AvgPool2d{global: true} }

// Setup implements Layer: in is [C, H, W].
func (a *AvgPool2d) Setup(in []int) []int {
	if a.global && len(in) == 3 {
		a.Window = tensor.Window{KH: in[1], KW: in[2], SH: in[1], SW: in[2]}
	}
	oh, ow := windowOut("AvgPool2d", a.Window, in)
	a.in = append(a.in[:0], in...)
	a.out = []int{in[0], oh, ow}
	return a.out
}

// Kind implements Layer.
func (a *AvgPool2d) Kind() string { return "avgpool" }

// Cost implements Layer: forward reads x and writes y, backward reads dy
// and writes dx; it keeps y.
func (a *AvgPool2d) Cost() Cost {
	x, y := 4*int64(numel(a.in)), 4*int64(numel(a.out))
	return Cost{ForwardBytes: x + y, BackwardBytes: y + x, ActivationBytes: y}
}

// Free implements Layer.
func (a *AvgPool2d) Free() {
	a.y.free()
	a.dx.free()
}

// inputGrad implements gradWriter.
func (a *AvgPool2d) inputGrad() *gradBuf { return &a.dx }

// String implements Layer.
func (a *AvgPool2d) String() string {
	if a.global {
		return fmt.Sprintf("GlobalAvgPool2d(%dx%d)", a.Window.KH, a.Window.KW)
	}
	return fmt.Sprintf("AvgPool2d(%v)", a.Window)
}

// Forward implements Layer.
func (a *AvgPool2d) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	y := a.y.get(x.Device(), tensor.Float32, x.Dim(0), a.out)
	tensor.AvgPool(y, x, a.Window)
	return y
}

// Backward implements Layer.
func (a *AvgPool2d) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	if !wantDX {
		return nil
	}
	dx := a.dx.get(dy.Device(), dy.Dim(0), a.in)
	tensor.AvgPoolGrad(dx, dy, a.Window)
	return dx
}
