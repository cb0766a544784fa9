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
	masked  bool
	x       *tensor.Tensor // the last Forward's input, when masked
	rounded storage        // the output's element type (see Sequential.roundOutputs)
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
// dy and argmax and writes dx, all counted as float32. It keeps y, in its
// storage type, and the argmax.
func (m *MaxPool2d) Cost() Cost {
	out := int64(numel(m.out))
	x, y := 4*int64(numel(m.in)), 4*out
	return Cost{ForwardBytes: x + 2*y, BackwardBytes: 2*y + x, ActivationBytes: m.rounded.bytes(out) + 4*out}
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
	y := m.y.get(dev, m.rounded.dtype(), n, m.out)
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
