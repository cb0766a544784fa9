package nn

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tensorforge/tensorforge/tensor"
)

// branches are the lists of layers of a block that runs each list on the
// same input and joins what they return (Residual adds, Concat
// concatenates). It holds what such a block does the same way whatever
// the join: the tensors' names and their handing out, the options a
// network passes down to its layers, and the passes through each list.
type branches struct {
	names  []string  // each branch's name in tensor names and String
	layers [][]Layer // a branch of no layers is the identity
	grads  [][][]*tensor.Tensor
}

// newBranches returns the named branches, their lists copied.
func newBranches(names []string, layers [][]Layer) branches {
	b := branches{names: names, layers: make([][]Layer, len(layers))}
	for i, l := range layers {
		b.layers[i] = slices.Clone(l)
	}
	return b
}

// setup sets up each branch's layers for input in and returns the shapes
// they give. No layer may overwrite the input the other branches read.
func (b *branches) setup(in []int) [][]int {
	outs := make([][]int, len(b.layers))
	for i, layers := range b.layers {
		checkInPlace(layers, true)
		outs[i] = in
		for _, l := range layers {
			outs[i] = l.Setup(outs[i])
		}
	}
	return outs
}

// each calls fn with every layer of every branch, in order.
func (b *branches) each(fn func(branch, i int, l Layer)) {
	for br, layers := range b.layers {
		for i, l := range layers {
			fn(br, i, l)
		}
	}
}

// ParamSpecs implements Parametric: the branches' layers' specs in order,
// each named after its branch and place, as PyTorch names those of a
// module whose children are nn.Sequentials.
func (b *branches) ParamSpecs() []ParamSpec {
	var specs []ParamSpec
	b.each(func(br, i int, l Layer) {
		if p, ok := l.(Parametric); ok {
			for _, s := range p.ParamSpecs() {
				s.Name = b.names[br] + "." + strconv.Itoa(i) + "." + s.Name
				specs = append(specs, s)
			}
		}
	})
	return specs
}

// Attach implements Parametric, handing each branch layer its share.
func (b *branches) Attach(params, grads []*tensor.Tensor) {
	b.grads = make([][][]*tensor.Tensor, len(b.layers))
	for br, layers := range b.layers {
		b.grads[br] = make([][]*tensor.Tensor, len(layers))
	}
	b.each(func(br, i int, l Layer) {
		if p, ok := l.(Parametric); ok {
			n := len(p.ParamSpecs())
			p.Attach(params[:n], grads[:n])
			b.grads[br][i] = grads[:n]
			params, grads = params[n:], grads[n:]
		}
	})
}

// overwriteGrads implements gradOverwriter for the branches' layers: those
// that cannot write their gradients have them zeroed instead (as
// Sequential does), before each Backward that should write them.
func (b *branches) overwriteGrads(on bool) {
	b.each(func(br, i int, l Layer) {
		if o, ok := l.(gradOverwriter); ok {
			o.overwriteGrads(on)
			return
		}
		if on {
			for _, g := range b.grads[br][i] {
				if g != nil {
					tensor.Fill(g, 0)
				}
			}
		}
	})
}

func (b *branches) usePrecision(p tensor.Precision) {
	b.each(func(_, _ int, l Layer) {
		if u, ok := l.(precisionUser); ok {
			u.usePrecision(p)
		}
	})
}

func (b *branches) useWorkspace(ws *Workspace) {
	b.each(func(_, _ int, l Layer) {
		if u, ok := l.(workspaceUser); ok {
			u.useWorkspace(ws)
		}
	})
}

func (b *branches) workspaceElems(dev tensor.Device, n, budget int) int {
	need := 0
	b.each(func(_, _ int, l Layer) {
		if u, ok := l.(workspaceUser); ok {
			need = max(need, u.workspaceElems(dev, n, budget))
		}
	})
	return need
}

// minTrainBatch implements Sequential.MinTrainBatch.
func (b *branches) minTrainBatch() int {
	least := 1
	b.each(func(_, _ int, l Layer) {
		if m, ok := l.(interface{ minTrainBatch() int }); ok {
			least = max(least, m.minTrainBatch())
		}
	})
	return least
}

// fuse folds the ReLUs of each branch as Sequential.fuse does its own.
func (b *branches) fuse(direct bool) {
	for _, layers := range b.layers {
		fuseLayers(layers, direct)
	}
}

// cost returns the branches' costs summed, with join added: what the
// block's own joining of them costs.
func (b *branches) cost(join Cost) Cost {
	b.each(func(_, _ int, l Layer) {
		lc := l.Cost()
		join.ForwardFLOPs += lc.ForwardFLOPs
		join.BackwardFLOPs += lc.BackwardFLOPs
		join.ForwardBytes += lc.ForwardBytes
		join.BackwardBytes += lc.BackwardBytes
		join.ActivationBytes += lc.ActivationBytes
	})
	return join
}

// free frees the branch layers' buffers.
func (b *branches) free() { b.each(func(_, _ int, l Layer) { l.Free() }) }

// describe returns kind(name=[layer, ...], ...): the branches as PyTorch
// lists a module's children, on one line.
func (b *branches) describe(kind string) string {
	var sb strings.Builder
	sb.WriteString(kind + "(")
	for br, layers := range b.layers {
		if br > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(b.names[br] + "=[")
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

// forward runs every branch on x and returns their outputs (x itself for
// an identity branch). Each branch layer gets its own seed, derived from
// the pass's, its branch and its place.
func (b *branches) forward(x *tensor.Tensor, p Pass, outs []*tensor.Tensor) {
	for br, layers := range b.layers {
		seed := MixSeed(p.Seed, uint64(br))
		outs[br] = x
		for i, l := range layers {
			outs[br] = l.Forward(outs[br], Pass{Train: p.Train, Seed: MixSeed(seed, uint64(i)), Offset: p.Offset})
		}
	}
}

// backward runs layers' Backward from the last, and returns the gradient
// of their input where wantDX: dy itself for no layers.
func backward(layers []Layer, dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	for i := len(layers) - 1; i >= 0; i-- {
		dy = layers[i].Backward(dy, i > 0 || wantDX)
	}
	return dy
}
