// Package nn holds neural-network layers with hand-written forward and
// backward passes, in the style of llm.c: no autograd tape, each layer keeps
// what its backward needs, and gradients accumulate (+=) into one gradient
// arena that mirrors one parameter arena. Layers call only the tensor
// package's operations, so a model runs unchanged on every device.
//
// A layer's sizes are inferred from the first input shape, like PyTorch's
// Lazy layers: the user gives output channels or features, Setup fills in
// the rest. Buffers (activations, gradients, argmax, masks, the im2col
// workspace) are allocated on the first Forward and Backward for a batch
// size and reused afterwards, so a steady training loop allocates nothing.
package nn

import "github.com/tensorforge/tensorforge/tensor"

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
	// its gradient views and, when wantDX is set, returns the gradient with
	// respect to that Forward's input (nil otherwise). It may overwrite dy.
	Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor
	// FLOPs returns the floating-point operations of one sample's forward
	// and backward pass, counting a multiply-add as 2. Only the matrix
	// products are counted (both of a backward's GEMMs, even when the input
	// gradient is skipped): elementwise work is memory-bound and would
	// blur the figure the benchmarks divide by. Valid after Setup.
	FLOPs() (forward, backward int64)
	// String describes the layer as PyTorch prints it.
	String() string
}

// Parametric is a Layer with learnable tensors.
type Parametric interface {
	Layer
	// ParamSpecs describes the layer's learnable tensors in PyTorch's order
	// (weight, then bias). Valid after Setup.
	ParamSpecs() []ParamSpec
	// Attach gives the layer its parameter and gradient views, in
	// ParamSpecs order. It is called once, after Setup, before Forward.
	Attach(params, grads []*tensor.Tensor)
}

// ParamSpec describes one learnable tensor of a layer.
type ParamSpec struct {
	// Name is the tensor's name within its layer: "weight" or "bias".
	Name string
	// Shape is the tensor's shape in PyTorch's layout.
	Shape []int
	// FanIn and FanOut are the fans Xavier initialisation uses, as PyTorch
	// computes them; both 0 means the tensor starts at zero.
	FanIn, FanOut int
}

// Param is one named learnable tensor of a model with its gradient, both
// views into the model's arenas.
type Param struct {
	Name        string         // "<layer index>.weight" or ".bias"
	Value, Grad *tensor.Tensor // views into the two arenas
}

// Pass says how a Forward runs.
type Pass struct {
	// Train turns on what only training does (dropout).
	Train bool
	// Seed drives the randomness of this pass. Sequential derives each
	// layer's seed from it and the layer's index, so a run that passes the
	// same seeds drops the same units on every device.
	Seed uint64
}

// MixSeed derives a well-mixed seed from a seed and a counter (a step, a
// layer index) with the SplitMix64 finaliser, so nearby counters give
// unrelated streams.
func MixSeed(seed, n uint64) uint64 {
	z := seed ^ (n+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// numel returns the element count of a shape.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
