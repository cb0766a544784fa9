package nn

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/tensorforge/tensorforge/tensor"
)

// Sequential runs layers one after another, as PyTorch's nn.Sequential,
// and owns their memory: one parameter arena and one gradient arena (each a
// single tensor the layers hold views of, so zeroing the gradients and the
// optimizer's update are one call each), an arena for non-trained state,
// the workspace its convolutions share, and the two buffers its layers'
// input gradients take turns in during Backward (see inputgrad.go). It is
// not safe for concurrent use.
type Sequential struct {
	// Trace, if set, is called at the end of every stage of a step: after
	// each layer's Forward and Backward, after ZeroGrad, and wherever the
	// code driving the network calls Mark (a loss, an optimizer update). A
	// profiler syncs the device and reads the clock there.
	Trace func(Stage)

	layers []Layer
	in     []int
	outs   [][]int // each layer's output sample shape, from Setup

	params, grads, state *tensor.Tensor
	layerGrads           [][]*tensor.Tensor // each layer's gradient views, by index
	discarded            bool               // the next Backward writes the gradients (see DiscardGrad)
	named, stateNamed    []Param
	ws                   *Workspace
	dx                   gradPair // the layers' input gradients (see shareInputGrads)
	first                int      // index of the first layer with trained parameters
	batch                int      // the batch size the workspace was sized for
	built, freed         bool     // Build has run; Free has run
	prec                 tensor.Precision
}

// Stage is one step of a forward, backward or training pass, as Trace
// reports it.
type Stage struct {
	// Layer is the layer's index, or -1 for a stage outside the layers.
	Layer int
	// Backward is set for a layer's Backward.
	Backward bool
	// Name names a stage outside the layers: "zero_grad", or what Mark was
	// given.
	Name string
}

// BuildOptions say what Build allocates and how it starts the parameters.
type BuildOptions struct {
	// Seed draws the initial weights, each tensor from its own seed
	// derived from this one and its place, on the host: every device
	// starts from the same numbers.
	Seed uint64
	// NoInit leaves every tensor at zero, for weights about to be loaded:
	// drawing AlexNet's 47 million takes seconds.
	NoInit bool
	// Inference allocates no gradient arena, about halving the memory of a
	// model that only predicts; Backward and ZeroGrad then panic.
	Inference bool
	// Precision is that of the layers' matrix products (convolutions and
	// Linear layers, forward and backward): FP32, the default, or BF16,
	// whose products round both operands to bfloat16 and sum in float32.
	// Parameters, gradients, the loss and the optimizer stay float32 in
	// either; a BF16 network stores in bfloat16 the activations only its
	// products, max-pools and ReLU masks read, where the device computes
	// on them (see roundOutputs). The device must run it (tensor.Device's
	// GemmPrecision), or Build panics.
	Precision tensor.Precision
}

// precisionUser is a layer whose matrix products take BuildOptions'
// precision.
type precisionUser interface {
	usePrecision(p tensor.Precision)
}

// workspaceUser is a layer that borrows the model's workspace.
type workspaceUser interface {
	useWorkspace(ws *Workspace)
	// workspaceElems returns the elements a batch of n needs within a
	// budget of the given bytes.
	workspaceElems(dev tensor.Device, n, budget int) int
}

// NewSequential returns the layers as one network. Call Setup for shapes
// only (a summary) or Build to allocate and initialise it.
func NewSequential(layers ...Layer) *Sequential {
	return &Sequential{layers: layers, ws: NewWorkspace(0)}
}

// Precision returns the precision of the layers' matrix products, as
// BuildOptions set it.
func (s *Sequential) Precision() tensor.Precision { return s.prec }

// Layers returns the layers in order; the caller must not modify the slice.
func (s *Sequential) Layers() []Layer { return s.layers }

// Setup infers every layer's sizes from the shape of one input sample and
// returns the shape of one output sample. It allocates no tensors, so a
// summary of a large model costs nothing.
func (s *Sequential) Setup(in []int) []int {
	checkInPlace(s.layers, false)
	s.in = slices.Clone(in)
	s.outs = s.outs[:0]
	for _, l := range s.layers {
		in = l.Setup(in)
		s.outs = append(s.outs, in)
	}
	return in
}

// MinTrainBatch returns, after Setup, the fewest samples a training
// Forward can take: 1, or more where a layer takes statistics over the
// batch (BatchNorm needs two values of each channel). A smaller batch
// would panic in the layer.
func (s *Sequential) MinTrainBatch() int {
	least := 1
	for _, l := range s.layers {
		if m, ok := l.(interface{ minTrainBatch() int }); ok {
			least = max(least, m.minTrainBatch())
		}
	}
	return least
}

// checkInPlace panics when an in-place layer (ReLU, Sigmoid, Tanh) would
// overwrite another's output, directly or through a view such as Flatten:
// the first one's backward reads its output, which would then hold the
// second's, and its gradients would be silently wrong. With keepInput it
// also panics when one would overwrite the layers' input, which a
// block's other branches read (Residual, Concat).
func checkInPlace(layers []Layer, keepInput bool) {
	const input = -2
	last := -1 // the in-place layer (or input) whose output the next layer receives
	if keepInput {
		last = input
	}
	for i, l := range layers {
		if _, ok := l.(interface{ inPlace() }); ok {
			switch {
			case last == input:
				panic(fmt.Sprintf("nn: layer %d (%v) would overwrite the input its block's other branches read; put a layer that writes a new tensor before it", i, l))
			case last >= 0:
				panic(fmt.Sprintf("nn: layer %d (%v) would overwrite the output of layer %d (%v), which its backward reads; put a layer that writes a new tensor between them",
					i, l, last, layers[last]))
			}
			last = i
		} else if _, ok := l.(interface{ view() }); !ok {
			last = -1
		}
	}
}

// fuse folds ReLU layers into their neighbours' passes, each fold saving
// a pass over an activation; the per-layer timings then count the ReLU in
// the neighbour.
//   - A max-pool after a ReLU applies the ReLU's gradient as it writes its
//     own (MaxPoolGrad's mask: the pool's input is the ReLU's output), on
//     any device.
//   - On a device with a direct convolution, a convolution before a ReLU
//     applies it in its forward product's epilogue, and one after a ReLU
//     applies its gradient in its data gradient's (ConvDataGrad's mask).
//
// The ReLU layer then keeps its output for the others and computes
// nothing in the pass folded away.
func (s *Sequential) fuse(dev tensor.Device) { fuseLayers(s.layers, tensor.HasDirectConv(dev)) }

// fuseLayers folds the ReLUs of a list of layers run in order, as fuse
// describes, on a device with a direct convolution where direct, and
// within the lists a layer holds (a Residual's branches).
func fuseLayers(layers []Layer, direct bool) {
	for i, l := range layers {
		if f, ok := l.(interface{ fuse(direct bool) }); ok {
			f.fuse(direct)
		}
		if i+1 == len(layers) {
			break
		}
		switch l := l.(type) {
		case *Conv2d:
			if r, ok := layers[i+1].(*ReLU); ok && direct {
				l.relu, r.applied = true, true
			}
		case *ReLU:
			switch next := layers[i+1].(type) {
			case *MaxPool2d:
				next.masked, l.passed = true, true
			case *Conv2d:
				if direct {
					next.masked, l.passed = true, true
				}
			}
		}
	}
}

// roundOutputs has a BF16 network store activations in bfloat16 where
// only its matrix products, max-pools and ReLU masks read them, on a
// device that computes on bfloat16 activations (tensor.BF16Activations)
// with its direct convolution:
//   - the output of a convolution that goes to another convolution, or to
//     a max-pool whose output goes to a product (a convolution, or a
//     Linear layer after a Flatten), through a ReLU folded away by fuse;
//   - the output of a max-pool that goes to a convolution.
//
// The products round their operands anyway, and rounding is monotonic, so
// a pool takes the same maxima, rounded, and a ReLU's mask the same signs:
// the network computes what it did, but where rounding ties two values of
// a pooling window. In AlexNet at batch 128 these are every activation of
// the convolutions but the input image: 360 MB of float32.
func (s *Sequential) roundOutputs(dev tensor.Device) {
	if s.prec != tensor.BF16 || !tensor.HasDirectConv(dev) || !tensor.HasBF16Activations(dev) {
		return
	}
	// after returns the index of the first layer after i that computes:
	// past a ReLU folded into both its neighbours, and past views.
	after := func(i int) int {
		for i++; i < len(s.layers); i++ {
			switch l := s.layers[i].(type) {
			case *ReLU:
				if !l.applied || !l.passed {
					return i
				}
			case *Flatten:
			default:
				return i
			}
		}
		return i
	}
	// reader returns the layer that reads layer i's output, or nil.
	reader := func(i int) Layer {
		if j := after(i); j < len(s.layers) {
			return s.layers[j]
		}
		return nil
	}
	for i, l := range s.layers {
		switch l := l.(type) {
		case *Conv2d:
			switch r := reader(i).(type) {
			case *Conv2d:
				l.rounded = true
			case *MaxPool2d:
				switch reader(slices.Index(s.layers, Layer(r))).(type) {
				case *Conv2d, *Linear:
					l.rounded = true
				}
			}
		case *MaxPool2d:
			if _, ok := reader(i).(*Conv2d); ok {
				l.rounded = true
			}
		}
	}
}

// Input returns the shape of one input sample, as Setup was given it.
func (s *Sequential) Input() []int { return s.in }

// Output returns the shape of one output sample, after Setup.
func (s *Sequential) Output() []int {
	if len(s.outs) == 0 {
		return s.in
	}
	return s.outs[len(s.outs)-1]
}

// Specs returns, after Setup, each parametric layer's index and tensor
// specs in arena order: what Build allocates, and what a checkpoint of the
// network holds, known before anything is allocated.
func (s *Sequential) Specs() []LayerSpecs {
	var out []LayerSpecs
	for i, l := range s.layers {
		if p, ok := l.(Parametric); ok {
			out = append(out, LayerSpecs{Index: i, Specs: p.ParamSpecs()})
		}
	}
	return out
}

// LayerSpecs are the tensor specs of the layer at Index.
type LayerSpecs struct {
	Index int
	Specs []ParamSpec
}

// Name returns the tensor's name in the network, as PyTorch's
// nn.Sequential names it: "<layer index>.<name>".
func (l LayerSpecs) Name(spec ParamSpec) string { return strconv.Itoa(l.Index) + "." + spec.Name }

// ParamBytes returns the bytes Build allocates for parameters, gradients
// (unless for inference) and state, after Setup.
func (s *Sequential) ParamBytes(o BuildOptions) int64 {
	trained, state := s.counts()
	n := 2 * trained
	if o.Inference {
		n = trained
	}
	return 4 * int64(n+state)
}

// firstTrained returns the index of the first layer with trained
// parameters, or the number of layers: Backward stops there. Valid after
// Setup.
func (s *Sequential) firstTrained() int {
	for _, ls := range s.Specs() {
		for _, spec := range ls.Specs {
			if !spec.State {
				return ls.Index
			}
		}
	}
	return len(s.layers)
}

// counts returns the elements of the trained and the state tensors.
func (s *Sequential) counts() (trained, state int) {
	for _, ls := range s.Specs() {
		for _, spec := range ls.Specs {
			n, ok := tensor.Numel(spec.Shape)
			if !ok {
				panic(fmt.Sprintf("nn: layer %d's %s has shape %v, too large", ls.Index, spec.Name, spec.Shape))
			}
			if spec.State {
				state += n
			} else {
				trained += n
			}
		}
	}
	return trained, state
}

// Build sets the network up for input samples of shape in, allocates its
// arenas on dev and fills every tensor from its spec's Init (see
// BuildOptions). A network is built once.
func (s *Sequential) Build(dev tensor.Device, in []int, o BuildOptions) {
	if s.built {
		panic(fmt.Sprintf("nn: Sequential of %d layers built twice", len(s.layers)))
	}
	if _, err := dev.GemmPrecision(o.Precision); err != nil {
		panic(fmt.Sprintf("nn: Build: %v", err))
	}
	s.prec = o.Precision
	s.Setup(in)
	s.fuse(dev)
	s.roundOutputs(dev)
	trained, state := s.counts()
	s.params, s.state = tensor.Zeros(dev, trained), tensor.Zeros(dev, state)
	if !o.Inference {
		s.grads = tensor.Zeros(dev, trained)
	}
	s.ws.resolve()
	s.named, s.stateNamed = s.named[:0], s.stateNamed[:0]
	s.layerGrads = make([][]*tensor.Tensor, len(s.layers))
	s.first = s.firstTrained()
	if !o.Inference {
		s.shareInputGrads()
	}
	off, stateOff := 0, 0
	for i, l := range s.layers {
		if w, ok := l.(workspaceUser); ok {
			w.useWorkspace(s.ws)
		}
		if p, ok := l.(precisionUser); ok {
			p.usePrecision(o.Precision)
		}
		p, ok := l.(Parametric)
		if !ok {
			continue
		}
		ls := LayerSpecs{Index: i, Specs: p.ParamSpecs()}
		var vals, grads []*tensor.Tensor
		for j, spec := range ls.Specs {
			var v, g *tensor.Tensor
			if spec.State {
				v = tensor.ViewOf(s.state.Storage(), stateOff, spec.Shape...)
				stateOff += v.Len()
				s.stateNamed = append(s.stateNamed, Param{Name: ls.Name(spec), Value: v, Counter: spec.Counter})
			} else {
				v = tensor.ViewOf(s.params.Storage(), off, spec.Shape...)
				if s.grads != nil {
					g = tensor.ViewOf(s.grads.Storage(), off, spec.Shape...)
				}
				off += v.Len()
				s.named = append(s.named, Param{Name: ls.Name(spec), Value: v, Grad: g})
			}
			if spec.Init != nil && !o.NoInit {
				host := make([]float32, v.Len())
				spec.Init.Fill(host, spec.FanIn, spec.FanOut, MixSeed(o.Seed, uint64(i)<<8|uint64(j)))
				v.CopyFrom(host)
			}
			vals, grads = append(vals, v), append(grads, g)
		}
		p.Attach(vals, grads)
		s.layerGrads[i] = grads
	}
	s.built = true
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
		x = l.Forward(x, Pass{Train: p.Train, Seed: MixSeed(p.Seed, uint64(i)), Offset: p.Offset})
		s.trace(Stage{Layer: i})
	}
	return x
}

// sizeWorkspace grows the workspace to what the largest user needs for a
// batch of n before any runs, so it is not replaced (and the old buffer
// left to the collector, or freed on a device with work still queued)
// between layers of a step.
func (s *Sequential) sizeWorkspace(dev tensor.Device, n int) {
	if need := s.workspaceElems(dev, n, s.ws.Bytes); need > 0 {
		s.ws.get(dev, need)
	}
	s.batch = n
}

// workspaceElems returns the workspace elements the hungriest layer needs
// for a batch of n within a budget of the given bytes.
func (s *Sequential) workspaceElems(dev tensor.Device, n, budget int) int {
	need := 0
	for _, l := range s.layers {
		if w, ok := l.(workspaceUser); ok {
			need = max(need, w.workspaceElems(dev, n, budget))
		}
	}
	return need
}

// Backward takes the gradient of the loss with respect to the last
// Forward's output and adds every parameter's gradient into the gradient
// arena, or writes it there after DiscardGrad. The input's gradient is not
// computed, nor any layer's below the first with trained parameters.
func (s *Sequential) Backward(dy *tensor.Tensor) {
	s.mustTrain("Backward")
	s.dx.reserve(dy.Device(), dy.Dim(0))
	for i := len(s.layers) - 1; i >= s.first; i-- {
		s.startGrads(i)
		dy = s.layers[i].Backward(dy, i > s.first)
		s.trace(Stage{Layer: i, Backward: true})
	}
	s.discarded = false
}

// startGrads readies layer i's gradients for its Backward: added into, or
// after DiscardGrad written, by the layer itself where it can and
// otherwise zeroed first.
func (s *Sequential) startGrads(i int) {
	if o, ok := s.layers[i].(gradOverwriter); ok {
		o.overwriteGrads(s.discarded)
		return
	}
	if s.discarded {
		for _, g := range s.layerGrads[i] {
			if g != nil {
				tensor.Fill(g, 0)
			}
		}
	}
}

// ZeroGrad sets every gradient to zero, in one operation over the arena.
func (s *Sequential) ZeroGrad() {
	s.mustTrain("ZeroGrad")
	tensor.Fill(s.grads, 0)
	s.discarded = false
	s.trace(Stage{Layer: -1, Name: "zero_grad"})
}

// DiscardGrad drops the gradients, as PyTorch's zero_grad(set_to_none=True)
// does: the next Backward writes every parameter's gradient rather than
// adding into it (those after add as usual). A training step then needs
// neither ZeroGrad's pass over the arena nor the gradient products' reads
// of it. Until that Backward the arena holds stale values, so a step that
// may run no Backward calls ZeroGrad instead.
func (s *Sequential) DiscardGrad() {
	s.mustTrain("DiscardGrad")
	s.discarded = true
}

// Mark reports to Trace, if set, the end of a stage outside the layers
// (a loss, an optimizer update) under name.
func (s *Sequential) Mark(name string) { s.trace(Stage{Layer: -1, Name: name}) }

func (s *Sequential) trace(st Stage) {
	if s.Trace != nil {
		s.Trace(st)
	}
}

// Params returns the trained parameters in arena order, named as PyTorch's
// nn.Sequential names them: "<layer index>.weight" and ".bias", where every
// layer counts (ReLU, pooling, dropout, flatten). The caller must not
// modify the slice.
func (s *Sequential) Params() []Param { return s.named }

// State returns the non-trained tensors (PyTorch's buffers, such as
// running statistics), named as Params are; they have no gradient.
func (s *Sequential) State() []Param { return s.stateNamed }

// Arena returns the flat parameter and gradient tensors every Param views;
// grads is nil for a network built for inference.
func (s *Sequential) Arena() (params, grads *tensor.Tensor) { return s.params, s.grads }

// StateArena returns the flat tensor every State tensor views.
func (s *Sequential) StateArena() *tensor.Tensor { return s.state }

// Workspace returns the scratch memory the layers share; its Bytes (0:
// DefaultWorkspaceBytes) may be changed before the first Forward. Layers
// on a device with a direct convolution need none.
func (s *Sequential) Workspace() *Workspace { return s.ws }

// Footprint estimates the bytes a network built with o holds on dev once
// it has run batches of n: the arenas, what the layers keep from Forward
// to Backward (as float32), for training the two buffers of the input
// gradients (see shareInputGrads), and the workspace. Valid after Setup;
// it allocates nothing, so a caller can refuse a batch that cannot fit
// before trying.
func (s *Sequential) Footprint(dev tensor.Device, n int, o BuildOptions) int64 {
	var per int64
	for _, l := range s.layers {
		per += l.Cost().ActivationBytes
	}
	if !o.Inference {
		var largest [2]int
		s.inputGradSlots(func(_ gradWriter, slot, elems int) { largest[slot] = max(largest[slot], elems) })
		per += 4 * int64(largest[0]+largest[1])
	}
	budget := s.ws.Bytes
	if budget == 0 {
		budget = DefaultWorkspaceBytes
	}
	return s.ParamBytes(o) + mulSat(per, int64(n)) + 4*int64(s.workspaceElems(dev, n, budget))
}

// mulSat returns a*b for non-negative a and b, or the largest int64 where
// that overflows: an estimate for a hostile batch size must come out huge,
// not wrapped around.
func mulSat(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

// Free returns the memory of the arenas, the layers' buffers and the
// workspace to the device. The network cannot be used afterwards.
func (s *Sequential) Free() {
	if !s.built || s.freed {
		return
	}
	for _, l := range s.layers {
		l.Free()
	}
	for _, t := range []*tensor.Tensor{s.params, s.grads, s.state} {
		if t != nil {
			t.Free()
		}
	}
	s.ws.free()
	s.dx.free()
	s.freed = true
}

func (s *Sequential) mustBuild() {
	switch {
	case s.freed:
		panic(fmt.Sprintf("nn: Sequential of %d layers used after Free", len(s.layers)))
	case !s.built:
		panic(fmt.Sprintf("nn: Sequential of %d layers used before Build", len(s.layers)))
	}
}

func (s *Sequential) mustTrain(op string) {
	s.mustBuild()
	if s.grads == nil {
		panic(fmt.Sprintf("nn: %s of a Sequential built for inference", op))
	}
}
