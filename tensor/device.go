package tensor

import (
	"fmt"
	"sort"
	"sync"

	"github.com/tensorforge/tensorforge/internal/convmap"
)

// Storage is a block of memory owned by one Device. Tensors are views into
// a Storage; only the Device that made it interprets it.
type Storage interface {
	// Device returns the device that owns the memory.
	Device() Device
	// DType returns the element type.
	DType() DType
	// Len returns the number of elements.
	Len() int
}

// Device is the seam between the engine and the hardware: a set of coarse
// operations, each over whole tensors, that the CPU and the CUDA device
// implement alike. Callers normally use the package-level functions (ReLU,
// Gemm, ...), which check shapes and then call the device; a Device method
// may assume its arguments were checked.
//
// Errors are sticky, as in CUDA itself: a device that fails (out of memory,
// a launch error) records the first error, turns every later operation into
// a no-op and reports the error from Err, Sync and every Read. Work runs in
// order; only Read and Sync wait for it. The CPU device never fails.
//
// A Device is safe for concurrent use, so that the models of a service can
// share one: the CPU's operations on different tensors run side by side,
// the CUDA device's one at a time. Tensors themselves are not guarded: two
// goroutines must not write one tensor at once.
type Device interface {
	// Name returns a short name such as "cpu" or "cuda".
	Name() string
	// Alloc returns zeroed memory for n elements of dtype. On failure it
	// records the error and returns a Storage that operations ignore.
	Alloc(dtype DType, n int) Storage
	// Free returns memory to the device; st must not be used afterwards.
	Free(st Storage)
	// Err returns the first error the device recorded, without waiting.
	Err() error
	// Sync waits for all queued work and returns Err.
	Sync() error
	// Write copies a host slice ([]float32, []int32, []uint8 or []uint16
	// for BFloat16, matching the storage's DType) into dst starting at
	// element off.
	Write(dst Storage, off int, src any)
	// Read waits for queued work, then copies elements starting at off
	// into the host slice dst, and returns Err.
	Read(dst any, src Storage, off int) error

	// Fill sets every element of x to v.
	Fill(x *Tensor, v float32)
	// Copy copies src into dst (same length and dtype).
	Copy(dst, src *Tensor)
	// CopyBlocks copies the blocks b describes from src to dst (Float32;
	// distinct tensors, and b's blocks within them and not overlapping
	// each other in dst).
	CopyBlocks(dst, src *Tensor, b Blocks)
	// Axpy computes y += alpha*x.
	Axpy(alpha float32, x, y *Tensor)
	// Scale computes x *= alpha.
	Scale(x *Tensor, alpha float32)
	// Unary computes y = op(x) elementwise; y may alias x.
	Unary(op UnaryOp, y, x *Tensor)
	// UnaryGrad computes dx = dy * op'(x), written in terms of op's
	// output y (see UnaryOp); dx may alias dy.
	UnaryGrad(op UnaryOp, dx, dy, y *Tensor)
	// Binary computes z = x op y elementwise; z may alias x or y.
	Binary(op BinaryOp, z, x, y *Tensor)
	// Reduce views x as [outer, n, inner] and writes to y [outer, inner]
	// the sum or the maximum over n (n > 0 for the maximum, and a NaN
	// among the elements makes it NaN). The order of a sum is the
	// device's, the same on every call.
	Reduce(op ReduceOp, y, x *Tensor, outer, n, inner int)

	// Gemm computes the (batched) matrix product described by g.
	Gemm(g *GemmArgs)
	// GemmPrecision reports whether Gemm runs products of precision p:
	// an error when it cannot, and otherwise a note that is empty unless
	// they run on a slower fallback (saying which), for the user to see
	// once. FP32 always runs.
	GemmPrecision(p Precision) (note string, err error)

	// Im2col unfolds images x [N, C, H, W] into cols
	// [N, C*KH*KW, OH*OW]: row (c, kh, kw), column (oh, ow) holds
	// x[c, oh*SH-PH+kh, ow*SW-PW+kw], or 0 where that falls in the padding.
	Im2col(cols, x *Tensor, w Window)
	// Col2im is Im2col's adjoint: dx [N, C, H, W] is overwritten with the
	// sum of every cols entry that Im2col would have read from each pixel.
	Col2im(dx, cols *Tensor, w Window)

	// BiasAdd computes y[n, c, ...] += b[c] for y [N, C, ...] and b [C].
	BiasAdd(y, b *Tensor)
	// BiasGrad computes db[c] = beta*db[c] + the sum over n and ... of
	// dy[n, c, ...]; with beta 0, db is written and never read.
	BiasGrad(db, dy *Tensor, beta float32)

	// ReLU computes y = max(x, 0); y may alias x.
	ReLU(y, x *Tensor)
	// ReLUGrad computes dx = dy where y > 0 and 0 elsewhere, y being the
	// ReLU's output; dx may alias dy.
	ReLUGrad(dx, dy, y *Tensor)

	// MaxPool computes y [N, C, OH, OW] as the maximum of each window of x
	// [N, C, H, W] (padding never wins) and stores in argmax (Int32, y's
	// shape) the index h*W+w within its plane of the input that won; ties go
	// to the first in row-major order.
	MaxPool(y, argmax, x *Tensor, w Window)
	// MaxPoolGrad overwrites dx [N, C, H, W] with the sum of the dy entries
	// whose argmax points at each pixel, added in output order; argmax is
	// as MaxPool wrote it for window w, each entry inside its output's
	// window. Unless mask is nil, a pixel whose mask (dx's shape) is not
	// positive gets 0 instead: the gradient also goes back through the
	// ReLU whose output mask is, as ReLUGrad would take it.
	MaxPoolGrad(dx, dy, argmax *Tensor, w Window, mask *Tensor)

	// AvgPool computes y [N, C, OH, OW] as the sum of each window of x
	// [N, C, H, W] divided by KH*KW, padding counted as zeros.
	AvgPool(y, x *Tensor, w Window)
	// AvgPoolGrad overwrites dx [N, C, H, W] with AvgPool's adjoint: the
	// sum, over the windows that hold each pixel, of dy/(KH*KW).
	AvgPoolGrad(dx, dy *Tensor, w Window)

	// BatchNorm normalises a.X into a.Y per channel and writes a.Mean and
	// a.InvStd; in training it also updates the running statistics (see
	// BatchNormArgs).
	BatchNorm(a *BatchNormArgs)
	// BatchNormGrad writes a.DX, and the gradients of the BatchNorm call a
	// describes into a.DScale and a.DShift (see BatchNormArgs.GradBeta).
	BatchNormGrad(a *BatchNormArgs)

	// Dropout sets mask[i] = 1/(1-p) where DropoutKeep(seed, i, p) and 0
	// elsewhere, and y = x*mask. y may alias x.
	Dropout(y, mask, x *Tensor, p float32, seed uint64)

	// SoftmaxCrossEntropy takes logits [N, K] and labels (Int32 [N], each
	// in [0, K)) and writes the mean cross-entropy to loss (Float32 [1]),
	// the number of rows whose first maximal logit is the label to correct
	// (Int32 [1]), and, unless dlogits is nil, the gradient of the mean
	// loss, (softmax - onehot)/N, to dlogits [N, K].
	SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels *Tensor)

	// SGD updates params in place from grads, as torch.optim.SGD does:
	// g = grad + WeightDecay*p; v = Momentum*v + g; p -= LR*v (without
	// momentum, p -= LR*g and velocity may be nil).
	SGD(params, grads, velocity *Tensor, o SGDOptions)

	// Resize writes into dst [N, C, OH, OW] (Float32) the bilinear resize
	// of src [N, C, H, W], with PyTorch's F.interpolate(mode="bilinear",
	// align_corners=False) sampling and no antialiasing. A Uint8 src is
	// read as value/255, so raw pixels become [0, 1].
	Resize(dst, src *Tensor)
}

// SGDOptions are the hyper-parameters of one SGD update.
type SGDOptions struct {
	LR, Momentum, WeightDecay float32
}

// GemmArgs describes C_i = Alpha*op(A_i)*op(B_i) + Beta*C_i for i in
// [0, Batch), all matrices row-major: op(A_i) is M x K, op(B_i) is K x N and
// C_i is M x N. With TransA, A_i is stored K x M (likewise B). X_i starts
// StrideX elements after X_{i-1}, the first at tensor X's own start; LDX is
// the distance between rows as stored. A StrideA or StrideB of 0 reuses one
// matrix for the whole batch. StrideC 0 with Batch > 1 sums the batch into
// one C: C = Alpha*sum_i op(A_i)*op(B_i) + Beta*C (a convolution's weight
// gradient over the images of a batch). Batch 0 means 1. As in BLAS, Beta 0
// leaves C's old contents unread, so C may start as garbage, even NaN.
type GemmArgs struct {
	TransA, TransB            bool
	M, N, K                   int
	Alpha, Beta               float32
	A, B, C                   *Tensor
	LDA, LDB, LDC             int
	StrideA, StrideB, StrideC int
	Batch                     int
	// Precision is the operands' rounding (FP32, the zero value, or
	// BF16); the device must run it (see Device.GemmPrecision).
	Precision Precision
}

// Window is the geometry of a convolution or pooling window: kernel size,
// stride and zero padding, each as (height, width).
type Window struct {
	KH, KW, SH, SW, PH, PW int
}

// Square returns the Window of a k x k kernel with the same stride and
// padding in both directions.
func Square(k, stride, pad int) Window {
	return Window{KH: k, KW: k, SH: stride, SW: stride, PH: pad, PW: pad}
}

// Out returns the output height and width for an h x w input, as PyTorch
// computes them (floor division), and 0 for a side the kernel does not
// fit, padding included.
func (w Window) Out(h, wd int) (oh, ow int) { return convmap.Window(w).Out(h, wd) }

// String formats the window as PyTorch prints a layer's arguments.
func (w Window) String() string {
	return fmt.Sprintf("kernel=%dx%d stride=%dx%d pad=%dx%d", w.KH, w.KW, w.SH, w.SW, w.PH, w.PW)
}

var (
	registryMu sync.Mutex
	registry   = map[string]func() (Device, error){"cpu": func() (Device, error) { return OpenCPU(0) }}
)

// Register makes a device available to Open under name. Device packages call
// it from init; registering a name twice panics.
func Register(name string, open func() (Device, error)) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("tensor: device " + name + " registered twice")
	}
	registry[name] = open
}

// Open returns the device registered under name ("cpu" always exists, as
// OpenCPU(0) makes it; "cuda" when the program imports the cuda package
// and was built with -tags cuda).
func Open(name string) (Device, error) {
	registryMu.Lock()
	open, ok := registry[name]
	registryMu.Unlock()
	if !ok {
		if name == "cuda" {
			return nil, fmt.Errorf("device %q: this binary was built without CUDA support (rebuild with -tags cuda)", name)
		}
		return nil, fmt.Errorf("unknown device %q (available: %v)", name, Devices())
	}
	return open()
}

// Devices returns the names Open accepts, sorted.
func Devices() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
