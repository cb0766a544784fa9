package nn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

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
	branches [2][]Layer // body, shortcut
	in, out  []int
	grads    [2][][]*tensor.Tensor // each branch layer's gradient views
	y        batchBuf
	dy       batchBuf // the shortcut's copy of the output gradient
	dx       gradBuf
}

// branchNames are the branches' names in tensor names and in String.
var branchNames = [2]string{"body", "shortcut"}

// NewResidual returns the block body(x) + shortcut(x); a shortcut of no
// layers is the identity. The branches' layers must not be used elsewhere.
func NewResidual(body, shortcut []Layer) *Residual {
	if len(body) == 0 {
		panic("nn: NewResidual with an empty body")
	}
	return &Residual{branches: [2][]Layer{slices.Clone(body), slices.Clone(shortcut)}}
}

// Setup implements Layer: both branches must give the same shape.
func (r *Residual) Setup(in []int) []int {
	var outs [2][]int
	for b, layers := range r.branches {
		checkInPlace(layers, true)
		outs[b] = in
		for _, l := range layers {
			outs[b] = l.Setup(outs[b])
		}
	}
	if !slices.Equal(outs[0], outs[1]) {
		panic(fmt.Sprintf("nn: Residual's body gives %v and its shortcut %v for input %v; they must match", outs[0], outs[1], in))
	}
	r.in, r.out = slices.Clone(in), slices.Clone(outs[0])
	return r.out
}

// each calls fn with every layer of both branches, the body's first.
func (r *Residual) each(fn func(b, i int, l Layer)) {
	for b, layers := range r.branches {
		for i, l := range layers {
			fn(b, i, l)
		}
	}
}

// ParamSpecs implements Parametric: the branches' layers' specs in order,
// each named after its branch and place.
func (r *Residual) ParamSpecs() []ParamSpec {
	var specs []ParamSpec
	r.each(func(b, i int, l Layer) {
		if p, ok := l.(Parametric); ok {
			for _, s := range p.ParamSpecs() {
				s.Name = branchNames[b] + "." + strconv.Itoa(i) + "." + s.Name
				specs = append(specs, s)
			}
		}
	})
	return specs
}

// Attach implements Parametric, handing each branch layer its share.
func (r *Residual) Attach(params, grads []*tensor.Tensor) {
	for b, layers := range r.branches {
		r.grads[b] = make([][]*tensor.Tensor, len(layers))
	}
	r.each(func(b, i int, l Layer) {
		if p, ok := l.(Parametric); ok {
			n := len(p.ParamSpecs())
			p.Attach(params[:n], grads[:n])
			r.grads[b][i] = grads[:n]
			params, grads = params[n:], grads[n:]
		}
	})
}

// overwriteGrads implements gradOverwriter for the branches' layers: those
// that cannot write their gradients have them zeroed instead (as
// Sequential does), before each Backward that should write them.
func (r *Residual) overwriteGrads(on bool) {
	r.each(func(b, i int, l Layer) {
		if o, ok := l.(gradOverwriter); ok {
			o.overwriteGrads(on)
			return
		}
		if on {
			for _, g := range r.grads[b][i] {
				if g != nil {
					tensor.Fill(g, 0)
				}
			}
		}
	})
}

func (r *Residual) usePrecision(p tensor.Precision) {
	r.each(func(_, _ int, l Layer) {
		if u, ok := l.(precisionUser); ok {
			u.usePrecision(p)
		}
	})
}

func (r *Residual) useWorkspace(ws *Workspace) {
	r.each(func(_, _ int, l Layer) {
		if u, ok := l.(workspaceUser); ok {
			u.useWorkspace(ws)
		}
	})
}

func (r *Residual) workspaceElems(dev tensor.Device, n, budget int) int {
	need := 0
	r.each(func(_, _ int, l Layer) {
		if u, ok := l.(workspaceUser); ok {
			need = max(need, u.workspaceElems(dev, n, budget))
		}
	})
	return need
}

// minTrainBatch implements Sequential.MinTrainBatch.
func (r *Residual) minTrainBatch() int {
	least := 1
	r.each(func(_, _ int, l Layer) {
		if m, ok := l.(interface{ minTrainBatch() int }); ok {
			least = max(least, m.minTrainBatch())
		}
	})
	return least
}

// fuse folds the ReLUs of each branch as Sequential.fuse does its own.
func (r *Residual) fuse(direct bool) {
	for _, layers := range r.branches {
		fuseLayers(layers, direct)
	}
}

// Kind implements Layer.
func (r *Residual) Kind() string { return "residual" }

// Cost implements Layer: the branches' costs, and the sum's memory
// traffic (forward: two reads and a write; backward: a copy of the
// gradient and a sum) and output.
func (r *Residual) Cost() Cost {
	y := 4 * int64(numel(r.out))
	c := Cost{ForwardBytes: 3 * y, BackwardBytes: 5 * y, ActivationBytes: y}
	r.each(func(_, _ int, l Layer) {
		lc := l.Cost()
		c.ForwardFLOPs += lc.ForwardFLOPs
		c.BackwardFLOPs += lc.BackwardFLOPs
		c.ForwardBytes += lc.ForwardBytes
		c.BackwardBytes += lc.BackwardBytes
		c.ActivationBytes += lc.ActivationBytes
	})
	return c
}

// Free implements Layer.
func (r *Residual) Free() {
	r.each(func(_, _ int, l Layer) { l.Free() })
	r.y.free()
	r.dy.free()
	r.dx.free()
}

func (r *Residual) inputGrad() *gradBuf { return &r.dx }

// String implements Layer: the branches as PyTorch lists a module's
// children, on one line.
func (r *Residual) String() string {
	var sb strings.Builder
	sb.WriteString("Residual(")
	for b, layers := range r.branches {
		if b > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(branchNames[b] + "=[")
		for i, l := range layers {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(l.String())
		}
		sb.WriteString("]")
	}
	sb.WriteString(")")
	return sb.String()
}

// Forward implements Layer. Each branch layer gets its own seed, derived
// from the pass's, its branch and its place.
func (r *Residual) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	var outs [2]*tensor.Tensor
	for b, layers := range r.branches {
		seed := MixSeed(p.Seed, uint64(b))
		outs[b] = x
		for i, l := range layers {
			outs[b] = l.Forward(outs[b], Pass{Train: p.Train, Seed: MixSeed(seed, uint64(i)), Offset: p.Offset})
		}
	}
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
	case len(r.branches[1]) > 0:
		d := r.dy.get(dev, tensor.Float32, n, r.out)
		tensor.Copy(d, dy)
		short = backward(r.branches[1], d, wantDX)
	case wantDX:
		short = r.dx.get(dev, n, r.in)
		tensor.Copy(short, dy)
	}
	body := backward(r.branches[0], dy, wantDX)
	if !wantDX {
		return nil
	}
	dx := r.dx.get(dev, n, r.in)
	tensor.Add(dx, body, short)
	return dx
}

// backward runs layers' Backward from the last, and returns the gradient
// of their input where wantDX.
func backward(layers []Layer, dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	for i := len(layers) - 1; i >= 0; i-- {
		dy = layers[i].Backward(dy, i > 0 || wantDX)
	}
	return dy
}
