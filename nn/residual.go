package nn

import (
	"fmt"
	"slices"

	"github.com/tensorforge/tensorforge/tensor"
)

// Residual adds the outputs of two branches run on the same input,
// body(x) + shortcut(x), where the shortcut is x itself when it has no
// layers: the residual block of ResNet (Dive into Deep Learning, ch. 8.6),
// whose closing ReLU follows it as a layer of its own. Its backward sends
// the output's gradient down both branches and adds what they return.
//
// Its tensors are named as PyTorch names those of a module with two
// nn.Sequential attributes, body and shortcut: "body.0.weight",
// "shortcut.1.running_mean". Like every layer it is not safe for
// concurrent use.
type Residual struct {
	branches // body, shortcut
	in, out  []int
	y        batchBuf
	dy       batchBuf // the shortcut's copy of the output gradient
	dx       gradBuf
}

// NewResidual returns the block body(x) + shortcut(x); a shortcut of no
// layers is the identity. The branches' layers must not be used elsewhere.
func NewResidual(body, shortcut []Layer) *Residual {
	if len(body) == 0 {
		panic("nn: NewResidual with an empty body")
	}
	return &Residual{branches: newBranches([]string{"body", "shortcut"}, [][]Layer{body, shortcut})}
}

// Setup implements Layer: both branches must give the same shape.
func (r *Residual) Setup(in []int) []int {
	outs := r.setup(in)
	if !slices.Equal(outs[0], outs[1]) {
		panic(fmt.Sprintf("nn: Residual's body gives %v and its shortcut %v for input %v; they must match", outs[0], outs[1], in))
	}
	r.in, r.out = slices.Clone(in), slices.Clone(outs[0])
	return r.out
}

// Kind implements Layer.
func (r *Residual) Kind() string { return "residual" }

// Cost implements Layer: the branches' costs, and the sum's memory
// traffic (forward: two reads and a write; backward: a copy of the
// gradient and a sum) and output.
func (r *Residual) Cost() Cost {
	y := 4 * int64(numel(r.out))
	return r.cost(Cost{ForwardBytes: 3 * y, BackwardBytes: 5 * y, ActivationBytes: y})
}

// Free implements Layer.
func (r *Residual) Free() {
	r.free()
	r.y.free()
	r.dy.free()
	r.dx.free()
}

func (r *Residual) inputGrad() *gradBuf { return &r.dx }

// String implements Layer: the branches as PyTorch lists a module's
// children, on one line.
func (r *Residual) String() string { return r.describe("Residual") }

// Forward implements Layer.
func (r *Residual) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	var outs [2]*tensor.Tensor
	r.forward(x, p, outs[:])
	y := r.y.get(x.Device(), tensor.Float32, x.Dim(0), r.out)
	tensor.Add(y, outs[0], outs[1])
	return y
}

// Backward implements Layer. The branches may overwrite the gradient they
// are given, so the shortcut gets a copy of dy: for the identity, the
// copy is already its share of dx.
func (r *Residual) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	dev, n := dy.Device(), dy.Dim(0)
	var short *tensor.Tensor
	switch {
	case len(r.layers[1]) > 0:
		d := r.dy.get(dev, tensor.Float32, n, r.out)
		tensor.Copy(d, dy)
		short = backward(r.layers[1], d, wantDX)
	case wantDX:
		short = r.dx.get(dev, n, r.in)
		tensor.Copy(short, dy)
	}
	body := backward(r.layers[0], dy, wantDX)
	if !wantDX {
		return nil
	}
	dx := r.dx.get(dev, n, r.in)
	tensor.Add(dx, body, short)
	return dx
}
