// Package nn holds neural-network layers with hand-written forward and
// backward passes, in the style of llm.c: no autograd tape, each layer keeps
// what its backward needs, and gradients accumulate (+=) into one gradient
// arena that mirrors one parameter arena. Layers call only the tensor
// package's operations, so a model runs unchanged on every device.
//
// A layer's sizes are inferred from the first input shape, like PyTorch's
// Lazy layers: the user gives output channels or features, Setup fills in
// the rest. Buffers (activations, gradients, argmax, masks, and on a device
// without a direct convolution the im2col workspace) are allocated on the
// first Forward and Backward for a batch size and reused afterwards, so a
// steady training loop allocates nothing.
//
// Layers and Sequential are not safe for concurrent use: a Forward
// overwrites the buffers the last one returned. A program that serves
// requests from several goroutines gives each its own model, or one
// goroutine the model and the others a queue (classify.Predictor does).
package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// Layer is one stage of a network.
//
// Tensors a layer returns are its own buffers (or, for ReLU and Flatten,
// its argument): they stay valid until the layer's next Forward or
// Backward, and the caller must not keep them beyond that.
type Layer interface {
	// Setup fixes the layer's sizes from the shape of one input sample (no
	// batch dimension) and returns the shape of one output sample. It
	// allocates no tensors and may be called again with the same shape.
	Setup(in []int) (out []int)
	// Forward computes the output for the batch x [N, in...].
	Forward(x *tensor.Tensor, p Pass) *tensor.Tensor
	// Backward takes the gradient of the loss with respect to the last
	// Forward's output, adds the gradients of the layer's parameters into
	// its gradient views (nn's own layers write them instead when a
	// Sequential asks, after DiscardGrad) and, when wantDX is set, returns
	// the gradient with respect to that Forward's input (nil otherwise).
	// It may overwrite dy.
	Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor
	// Kind names what the layer computes in one short lower-case word
	// ("conv", "pool", "fc", "relu", "dropout", "flatten"): benchmarks and
	// profiles number layers by it (conv1, conv2, fc1).
	Kind() string
	// Cost returns what one sample costs the layer, from its sizes alone.
	// Valid after Setup.
	Cost() Cost
	// String describes the layer as PyTorch prints it.
	String() string
	// Free returns the memory of the buffers the layer made for its
	// batches. The layer stays usable: the next Forward makes them again.
	// Parameters are not the layer's to free (see Sequential.Free).
	Free()
}

// Cost is what one sample costs a layer: its arithmetic and the memory it
// moves and keeps.
type Cost struct {
	// ForwardFLOPs and BackwardFLOPs are floating-point operations,
	// counting a multiply-add as 2. Only matrix products count (both of a
	// backward's GEMMs, even when the input gradient is skipped):
	// elementwise work is memory-bound and would blur the figure the
	// benchmarks divide by.
	ForwardFLOPs, BackwardFLOPs int64
	// ForwardBytes and BackwardBytes are the bytes of activations a pass
	// reads and writes, for layers whose speed memory bounds; 0 for those
	// the FLOPs describe.
	ForwardBytes, BackwardBytes int64
	// ActivationBytes is the memory the layer holds from Forward to
	// Backward: its output and what its backward reads besides (a
	// max-pool's argmax, a dropout's mask). A layer that writes in place
	// or returns a view holds none.
	ActivationBytes int64
}

// Parametric is a Layer with learnable tensors or non-trained state.
type Parametric interface {
	Layer
	// ParamSpecs describes the layer's tensors in PyTorch's order (weight,
	// then bias, then state such as running statistics). Valid after
	// Setup.
	ParamSpecs() []ParamSpec
	// Attach gives the layer its tensors in ParamSpecs order, and the
	// gradient views of the trained ones (nil for state, and for every
	// tensor of a model built for inference). It is called once, after
	// Setup, before Forward.
	Attach(params, grads []*tensor.Tensor)
}

// ParamSpec describes one tensor a layer owns.
type ParamSpec struct {
	// Name is the tensor's name within its layer: "weight", "bias", or a
	// state's name ("running_mean").
	Name string
	// Shape is the tensor's shape in PyTorch's layout.
	Shape []int
	// FanIn and FanOut are the layer's fans as PyTorch computes them, for
	// the initialisers that scale by them.
	FanIn, FanOut int
	// Init fills the tensor's starting values; nil leaves it at zero.
	Init Init
	// State marks a tensor that is saved and loaded with the parameters
	// but not trained (PyTorch's buffers): it has no gradient, and the
	// optimizer never sees it.
	State bool
	// Counter marks a state tensor that counts (PyTorch's
	// num_batches_tracked, an int64): it is held as float32, exact up to
	// 2^24, and checkpoints store it as a 64-bit integer.
	Counter bool
}

// Param is one named tensor of a model: a view into the model's parameter
// arena with its gradient's view, or into its state arena with no
// gradient.
type Param struct {
	Name  string         // "<layer index>.weight", ".bias", or the state's
	Value *tensor.Tensor // view into the parameter or state arena
	Grad  *tensor.Tensor // view into the gradient arena; nil for state and inference
	// Counter marks a count, which checkpoints store as an integer (see
	// ParamSpec).
	Counter bool
}

// Pass says how a Forward runs.
type Pass struct {
	// Train turns on what only training does (dropout).
	Train bool
	// Seed drives the randomness of this pass. Sequential derives each
	// layer's seed from it and the layer's index, so a run that passes the
	// same seeds drops the same units on every device.
	Seed uint64
	// Offset is the index of the batch's first sample within a larger
	// batch it is a share of (one process's part of a data-parallel
	// step): randomness is drawn as for that sample of the whole, so the
	// shares together drop what the whole batch would.
	Offset int
}

// MixSeed derives a well-mixed seed from a seed and a counter (a step, a
// layer index), so nearby counters give unrelated streams.
func MixSeed(seed, n uint64) uint64 {
	return tensor.Mix64(seed ^ (n+1)*0x9E3779B97F4A7C15)
}

// numel returns the element count of a layer's sample shape, which Setup
// has already checked.
func numel(shape []int) int {
	n, ok := tensor.Numel(shape)
	if !ok {
		panic(fmt.Sprintf("nn: sample shape %v is too large", shape))
	}
	return n
}
