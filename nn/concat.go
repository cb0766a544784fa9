package nn

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/tensorforge/tensorforge/tensor"
)

// Concat runs branches of layers on the same input and concatenates their
// outputs along the channels, the first branch's first: GoogLeNet's
// Inception block (Dive into Deep Learning, ch. 8.4), whose four branches
// see the same input at different scales, and DenseNet's growth (ch. 8.7),
// where a branch of no layers passes the input itself on. Its backward
// gives each branch its channels of the output's gradient and adds the
// gradients they return.
//
// Its tensors are named as PyTorch names those of an nn.ModuleList of
// nn.Sequentials, by branch and place: "0.0.weight", "2.1.bias". Like
// every layer it is not safe for concurrent use.
type Concat struct {
	branches
	in, out []int
	outs    [][]int
	ys      []*tensor.Tensor // the branches' last outputs
	y       batchBuf
	dys     []batchBuf // each branch's share of the output gradient
	dxs     []*tensor.Tensor
	dx      gradBuf
}

// NewConcat returns the block that concatenates what the branches give
// for one input; a branch of no layers gives the input. The branches'
// layers must not be used elsewhere.
func NewConcat(branches ...[]Layer) *Concat {
	if len(branches) == 0 {
		panic("nn: NewConcat with no branches")
	}
	names := make([]string, len(branches))
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return &Concat{
		branches: newBranches(names, branches),
		ys:       make([]*tensor.Tensor, len(branches)),
		dys:      make([]batchBuf, len(branches)),
		dxs:      make([]*tensor.Tensor, len(branches)),
	}
}

// Setup implements Layer: the branches must give the same shape but for
// the channels (axis 0 of a sample).
func (c *Concat) Setup(in []int) []int {
	c.outs = c.setup(in)
	c.out = slices.Clone(c.outs[0])
	if len(c.out) == 0 {
		panic(fmt.Sprintf("nn: Concat's branches give scalars for input %v; they must give channels", in))
	}
	for b, o := range c.outs[1:] {
		if len(o) != len(c.out) || !slices.Equal(o[1:], c.out[1:]) {
			panic(fmt.Sprintf("nn: Concat's branch 0 gives %v and branch %d %v for input %v; all but the channels must match", c.outs[0], b+1, o, in))
		}
		c.out[0] += o[0]
	}
	c.in = slices.Clone(in)
	return c.out
}

// Kind implements Layer.
func (c *Concat) Kind() string { return "concat" }

// Cost implements Layer: the branches' costs, and the concatenation's
// memory traffic (forward: the output read from the branches and written;
// backward: its gradient split, and the branches' input gradients summed)
// and output.
func (c *Concat) Cost() Cost {
	y, x := 4*int64(numel(c.out)), 4*int64(numel(c.in))
	sums := int64(len(c.layers)-1) * 3 * x
	return c.cost(Cost{ForwardBytes: 2 * y, BackwardBytes: 2*y + sums, ActivationBytes: y})
}

// Free implements Layer.
func (c *Concat) Free() {
	c.free()
	c.y.free()
	for i := range c.dys {
		c.dys[i].free()
	}
	c.dx.free()
}

func (c *Concat) inputGrad() *gradBuf { return &c.dx }

// String implements Layer: the branches as PyTorch lists a module's
// children, on one line.
func (c *Concat) String() string { return c.describe("Concat") }

// Forward implements Layer.
func (c *Concat) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	c.forward(x, p, c.ys)
	y := c.y.get(x.Device(), tensor.Float32, x.Dim(0), c.out)
	tensor.Concat(y, c.ys...)
	return y
}

// Backward implements Layer. Each branch gets a copy of its channels of
// dy, which it may overwrite; the branches' input gradients are then
// added in order, so the sum's bits do not depend on the device. An
// identity first branch (DenseNet's) has its channels copied straight
// into dx, where the others' gradients are then added: one buffer and
// one pass fewer.
func (c *Concat) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	dev, n := dy.Device(), dy.Dim(0)
	inDX := wantDX && len(c.layers[0]) == 0
	for b := range c.layers {
		if b == 0 && inDX {
			c.dxs[b] = c.dx.get(dev, n, c.in)
		} else {
			c.dxs[b] = c.dys[b].get(dev, tensor.Float32, n, c.outs[b])
		}
	}
	tensor.Split(c.dxs, dy)
	for b, layers := range c.layers {
		c.dxs[b] = backward(layers, c.dxs[b], wantDX)
	}
	if !wantDX {
		return nil
	}
	dx := c.dx.get(dev, n, c.in)
	rest := c.dxs[1:]
	switch {
	case inDX:
	case len(c.dxs) == 1:
		tensor.Copy(dx, c.dxs[0])
	default:
		tensor.Add(dx, c.dxs[0], c.dxs[1])
		rest = c.dxs[2:]
	}
	for _, d := range rest {
		tensor.Axpy(1, d, dx)
	}
	return dx
}
