package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// MaxPool2d takes the maximum of each window and keeps the argmax, so its
// backward routes each gradient to the input that won without reading the
// input again.
type MaxPool2d struct {
	Window tensor.Window // kernel, stride, padding

	in        []int
	out       []int
	y, argmax batchBuf
	dx        gradBuf
	arg       *tensor.Tensor // the last Forward's argmax
	// masked: the ReLU before passes its gradient through untouched, and
	// Backward applies it, its input x being that ReLU's output (see
	// Sequential.fuse).
	masked bool
	x      *tensor.Tensor // the last Forward's input, when masked
	// rounded: the output is stored in bfloat16 (see
	// Sequential.roundOutputs).
	rounded bool
}

// NewMaxPool2d returns a max-pooling layer over the given window.
func NewMaxPool2d(w tensor.Window) *MaxPool2d { return &MaxPool2d{Window: w} }

// Setup implements Layer: in is [C, H, W].
func (m *MaxPool2d) Setup(in []int) []int {
	oh, ow := windowOut("MaxPool2d", m.Window, in)
	m.in = append(m.in[:0], in...)
	m.out = []int{in[0], oh, ow}
	return m.out
}

// Kind implements Layer.
func (m *MaxPool2d) Kind() string { return "pool" }

// Cost implements Layer: no FLOPs, but memory traffic, which bounds its
// speed: forward reads x and writes y and the Int32 argmax, backward reads
// dy and argmax and writes dx. It keeps y and the argmax. Every tensor is
// counted as float32.
func (m *MaxPool2d) Cost() Cost {
	x, y := 4*int64(numel(m.in)), 4*int64(numel(m.out))
	kept := 2 * y
	if m.rounded {
		kept -= y / 2
	}
	return Cost{ForwardBytes: x + 2*y, BackwardBytes: 2*y + x, ActivationBytes: kept}
}

// Free implements Layer.
func (m *MaxPool2d) Free() {
	m.y.free()
	m.argmax.free()
	m.dx.free()
	m.arg, m.x = nil, nil
}

// inputGrad implements gradWriter.
func (m *MaxPool2d) inputGrad() *gradBuf { return &m.dx }

// String implements Layer.
func (m *MaxPool2d) String() string { return fmt.Sprintf("MaxPool2d(%v)", m.Window) }

// Forward implements Layer.
func (m *MaxPool2d) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	dev, n := x.Device(), x.Dim(0)
	dt := tensor.Float32
	if m.rounded {
		dt = tensor.BFloat16
	}
	y := m.y.get(dev, dt, n, m.out)
	m.arg = m.argmax.get(dev, tensor.Int32, n, m.out)
	tensor.MaxPool(y, m.arg, x, m.Window)
	if m.masked {
		m.x = x
	}
	return y
}

// Backward implements Layer.
func (m *MaxPool2d) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	if !wantDX {
		return nil
	}
	dx := m.dx.get(dy.Device(), dy.Dim(0), m.in)
	tensor.MaxPoolGrad(dx, dy, m.arg, m.Window, m.x)
	return dx
}
