package nn

import (
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

// Init fills a tensor's starting values on the host, as the functions of
// torch.nn.init do. Values come from tensor.FillUniform and FillNormal, so
// a seed gives the same weights on every machine and device. The ones
// this package makes hold no state and are safe for concurrent use.
type Init interface {
	// Fill writes the values of a tensor of len(v) elements whose layer
	// has the given fans, drawing them from seed.
	Fill(v []float32, fanIn, fanOut int, seed uint64)
	// String names the initialiser and its arguments.
	String() string
}

// XavierUniform draws from U(-b, b), b = gain*sqrt(6/(fanIn+fanOut)), as
// torch.nn.init.xavier_uniform_ does. D2L's init_cnn gives it (gain 1) to
// every convolution and linear weight.
func XavierUniform(gain float64) Init { return xavier{gain: gain, uniform: true} }

// XavierNormal draws from N(0, s²), s = gain*sqrt(2/(fanIn+fanOut)), as
// torch.nn.init.xavier_normal_ does.
func XavierNormal(gain float64) Init { return xavier{gain: gain} }

// KaimingUniform draws from U(-b, b), b = sqrt(3)*g/sqrt(fanIn) with
// g = sqrt(2/(1+a²)), as torch.nn.init.kaiming_uniform_ does in its default
// fan_in mode: a is the negative slope of the leaky ReLU that follows (0
// for a ReLU).
func KaimingUniform(a float64) Init { return kaiming{a: a, uniform: true} }

// KaimingNormal draws from N(0, s²), s = g/sqrt(fanIn) with
// g = sqrt(2/(1+a²)), as torch.nn.init.kaiming_normal_ does in fan_in mode.
func KaimingNormal(a float64) Init { return kaiming{a: a} }

// Constant sets every value to v.
func Constant(v float32) Init { return constant(v) }

// TorchDefault is what PyTorch's Conv2d and Linear do when nobody
// initialises them: kaiming_uniform_ with a = sqrt(5) for the weight and
// U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for the bias, which come to the same
// bound, 1/sqrt(fanIn).
func TorchDefault() Init { return torchDefault{} }

type xavier struct {
	gain    float64
	uniform bool
}

func (x xavier) Fill(v []float32, fanIn, fanOut int, seed uint64) {
	fans := float64(fanIn + fanOut)
	if fans == 0 {
		clear(v)
		return
	}
	if x.uniform {
		b := float32(x.gain * math.Sqrt(6/fans))
		tensor.FillUniform(v, seed, -b, b)
		return
	}
	tensor.FillNormal(v, seed, 0, float32(x.gain*math.Sqrt(2/fans)))
}

func (x xavier) String() string {
	if x.uniform {
		return fmt.Sprintf("XavierUniform(gain=%g)", x.gain)
	}
	return fmt.Sprintf("XavierNormal(gain=%g)", x.gain)
}

type kaiming struct {
	a       float64
	uniform bool
}

func (k kaiming) Fill(v []float32, fanIn, _ int, seed uint64) {
	if fanIn == 0 {
		clear(v)
		return
	}
	std := math.Sqrt(2/(1+k.a*k.a)) / math.Sqrt(float64(fanIn))
	if k.uniform {
		b := float32(math.Sqrt(3) * std)
		tensor.FillUniform(v, seed, -b, b)
		return
	}
	tensor.FillNormal(v, seed, 0, float32(std))
}

func (k kaiming) String() string {
	if k.uniform {
		return fmt.Sprintf("KaimingUniform(a=%g)", k.a)
	}
	return fmt.Sprintf("KaimingNormal(a=%g)", k.a)
}

type constant float32

func (c constant) Fill(v []float32, _, _ int, _ uint64) {
	for i := range v {
		v[i] = float32(c)
	}
}

func (c constant) String() string { return fmt.Sprintf("Constant(%g)", float32(c)) }

type torchDefault struct{}

func (torchDefault) Fill(v []float32, fanIn, _ int, seed uint64) {
	if fanIn == 0 {
		clear(v)
		return
	}
	b := float32(1 / math.Sqrt(float64(fanIn)))
	tensor.FillUniform(v, seed, -b, b)
}

func (torchDefault) String() string { return "TorchDefault()" }

// weightInit returns a layer's weight initialiser: i, or when nil the
// Xavier-uniform of D2L's init_cnn.
func weightInit(i Init) Init {
	if i == nil {
		return XavierUniform(1)
	}
	return i
}
