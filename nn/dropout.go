package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// Dropout zeroes each input with probability P during training and scales
// the survivors by 1/(1-P); outside training it passes its input through.
// The mask comes from tensor.Dropout's counter-based generator under the
// pass's seed, so every device drops the same units.
type Dropout struct {
	P float32 // drop probability, in [0, 1)

	sample  []int
	y, mask batchBuf
	train   bool // whether the last Forward dropped anything
	m       *tensor.Tensor
}

// NewDropout returns a dropout layer with drop probability p in [0, 1).
func NewDropout(p float32) *Dropout {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("nn: Dropout probability %v outside [0, 1)", p))
	}
	return &Dropout{P: p}
}

// Setup implements Layer.
func (d *Dropout) Setup(in []int) []int {
	d.sample = append(d.sample[:0], in...)
	return in
}

// Kind implements Layer.
func (d *Dropout) Kind() string { return "dropout" }

// Cost implements Layer: no FLOPs counted; in training it keeps its output
// and its mask.
func (d *Dropout) Cost() Cost { return Cost{ActivationBytes: 8 * int64(numel(d.sample))} }

// Free implements Layer.
func (d *Dropout) Free() {
	d.y.free()
	d.mask.free()
	d.m = nil
}

// String implements Layer.
func (d *Dropout) String() string { return fmt.Sprintf("Dropout(p=%g)", d.P) }

// Forward implements Layer. It writes a buffer of its own rather than
// over x, which the layer before may need for its backward.
func (d *Dropout) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	d.train = p.Train && d.P > 0
	if !d.train {
		return x
	}
	dev, n := x.Device(), x.Dim(0)
	y := d.y.get(dev, tensor.Float32, n, d.sample)
	d.m = d.mask.get(dev, tensor.Float32, n, d.sample)
	seed := tensor.DropoutShift(p.Seed, uint64(p.Offset)*uint64(numel(d.sample)))
	tensor.Dropout(y, d.m, x, d.P, seed)
	return y
}

// Backward implements Layer; it overwrites dy with dy*mask and returns it.
func (d *Dropout) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	if !wantDX {
		return nil
	}
	if d.train {
		tensor.Mul(dy, dy, d.m)
	}
	return dy
}
