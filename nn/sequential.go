package nn

import (
	"fmt"
	"math"
	"strconv"

	"github.com/tensorforge/tensorforge/tensor"
)

// Sequential runs layers one after another, as PyTorch's nn.Sequential,
// and owns their memory: one parameter arena and one gradient arena (each a
// single tensor the layers hold views of, so zeroing the gradients and the
// optimizer's update are one call each) and the workspace its convolutions
// share.
type Sequential struct {
	layers []Layer
	in     []int
	outs   [][]int // each layer's output sample shape, from Setup

	params, grads *tensor.Tensor
	named         []Param
	ws            *Workspace
	first         int // index of the first layer with parameters
	batch         int // the batch size the workspace was sized for
}

// workspaceUser is a layer that borrows the model's workspace.
type workspaceUser interface {
	useWorkspace(ws *Workspace)
	// workspaceElems returns the elements a batch of n needs.
	workspaceElems(n int) int
}

// NewSequential returns the layers as one network. Call Setup for shapes
// only (a summary) or Build to allocate and initialise it.
func NewSequential(layers ...Layer) *Sequential {
	return &Sequential{layers: layers, ws: NewWorkspace(0)}
}

// Layers returns the layers in order; the caller must not modify the slice.
func (s *Sequential) Layers() []Layer { return s.layers }

// Setup infers every layer's sizes from the shape of one input sample and
// returns the shape of one output sample. It allocates no tensors, so a
// summary of a large model costs nothing.
func (s *Sequential) Setup(in []int) []int {
	s.in = append([]int(nil), in...)
	s.outs = s.outs[:0]
	for _, l := range s.layers {
		in = l.Setup(in)
		s.outs = append(s.outs, in)
	}
	return in
}

// Build sets the network up for input samples of shape in, allocates its
// arenas on dev and initialises the parameters as D2L's init_cnn does:
// Xavier-uniform weights, drawn on the host from seed and the layer's index
// so every device starts from the same numbers, and zero biases.
func (s *Sequential) Build(dev tensor.Device, in []int, seed uint64) {
	s.Setup(in)
	total := 0
	for _, l := range s.layers {
		if p, ok := l.(Parametric); ok {
			for _, spec := range p.ParamSpecs() {
				total += numel(spec.Shape)
			}
		}
	}
	s.params, s.grads = tensor.Zeros(dev, total), tensor.Zeros(dev, total)
	s.ws.resolve(dev)
	s.named = s.named[:0]
	s.first = len(s.layers)
	off := 0
	for i, l := range s.layers {
		if w, ok := l.(workspaceUser); ok {
			w.useWorkspace(s.ws)
		}
		p, ok := l.(Parametric)
		if !ok {
			continue
		}
		s.first = min(s.first, i)
		var vals, grads []*tensor.Tensor
		for j, spec := range p.ParamSpecs() {
			v := tensor.ViewOf(s.params.Storage(), off, spec.Shape...)
			g := tensor.ViewOf(s.grads.Storage(), off, spec.Shape...)
			off += v.Len()
			if spec.FanIn+spec.FanOut > 0 {
				xavierUniform(v, spec, MixSeed(seed, uint64(i)<<8|uint64(j)))
			}
			vals, grads = append(vals, v), append(grads, g)
			s.named = append(s.named, Param{Name: strconv.Itoa(i) + "." + spec.Name, Value: v, Grad: g})
		}
		p.Attach(vals, grads)
	}
}

// xavierUniform fills v from U(-b, b), b = sqrt(6/(fan_in+fan_out)), as
// torch.nn.init.xavier_uniform_ does.
func xavierUniform(v *tensor.Tensor, spec ParamSpec, seed uint64) {
	b := float32(math.Sqrt(6 / float64(spec.FanIn+spec.FanOut)))
	r := tensor.RandUniform(v.Device(), seed, -b, b, spec.Shape...)
	tensor.Copy(v, r)
	r.Free()
}

// Forward runs the layers on the batch x [N, in...] and returns the last
// layer's output. Each layer sees the pass with its own seed, derived from
// p.Seed and its index.
func (s *Sequential) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	s.mustBuild()
	if n := x.Dim(0); n != s.batch {
		s.sizeWorkspace(x.Device(), n)
	}
	for i, l := range s.layers {
		x = l.Forward(x, Pass{Train: p.Train, Seed: MixSeed(p.Seed, uint64(i))})
	}
	return x
}

// sizeWorkspace grows the workspace to what the largest user needs for a
// batch of n before any runs, so it is not replaced (and the old buffer
// left to the collector, or freed on a device with work still queued)
// between layers of a step.
func (s *Sequential) sizeWorkspace(dev tensor.Device, n int) {
	need := 0
	for _, l := range s.layers {
		if w, ok := l.(workspaceUser); ok {
			need = max(need, w.workspaceElems(n))
		}
	}
	if need > 0 {
		s.ws.get(dev, need)
	}
	s.batch = n
}

// Backward takes the gradient of the loss with respect to the last
// Forward's output and adds every parameter's gradient into the gradient
// arena. The input's gradient is not computed, nor any layer's below the
// first with parameters.
func (s *Sequential) Backward(dy *tensor.Tensor) {
	s.mustBuild()
	for i := len(s.layers) - 1; i >= s.first; i-- {
		dy = s.layers[i].Backward(dy, i > s.first)
	}
}

// ZeroGrad sets every gradient to zero, in one operation over the arena.
func (s *Sequential) ZeroGrad() {
	s.mustBuild()
	tensor.Fill(s.grads, 0)
}

// Params returns the named parameters in arena order, named as PyTorch's
// nn.Sequential names them: "<layer index>.weight" and ".bias", where every
// layer counts (ReLU, pooling, dropout, flatten). The caller must not
// modify the slice.
func (s *Sequential) Params() []Param { return s.named }

// Arena returns the flat parameter and gradient tensors every Param views.
func (s *Sequential) Arena() (params, grads *tensor.Tensor) { return s.params, s.grads }

// Workspace returns the scratch memory the layers share; its Bytes (0:
// WorkspaceBytesFor the device) may be changed before the first Forward.
func (s *Sequential) Workspace() *Workspace { return s.ws }

func (s *Sequential) mustBuild() {
	if s.params == nil {
		panic(fmt.Sprintf("nn: Sequential of %d layers used before Build", len(s.layers)))
	}
}
