package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// BatchNorm normalises each channel over the batch (and, for images, over
// height and width), then scales and shifts it (Dive into Deep Learning,
// ch. 8.5): PyTorch's BatchNorm1d and BatchNorm2d, with their defaults,
// affine and tracking running statistics. Training normalises with the
// batch's mean and variance and updates the running ones; evaluation uses
// the running ones. The running statistics and the count of batches are
// non-trained state, saved in checkpoints under PyTorch's names.
type BatchNorm struct {
	// Eps is added to the variance (PyTorch's default 1e-5); Momentum
	// weighs each batch in the running averages (default 0.1).
	Eps, Momentum float32

	dims         int // 1: [C] or [C, L] samples; 2: [C, H, W]
	in           []int
	w, b         *tensor.Tensor // scale and shift
	dw, db       *tensor.Tensor
	runMean      *tensor.Tensor
	runVar       *tensor.Tensor
	batches      *tensor.Tensor // num_batches_tracked
	mean, invStd *tensor.Tensor // [C], the statistics of the last Forward
	one          *tensor.Tensor // 1, added to batches each training step
	y            batchBuf
	args         tensor.BatchNormArgs // the last Forward's, reused by Backward

	paramGrads // whether Backward overwrites the gradients (see gradOverwriter)
}

// NewBatchNorm1d returns a batch normalisation of samples [C] (after a
// Linear layer) or [C, L], with PyTorch's defaults; C comes from the first
// input.
func NewBatchNorm1d() *BatchNorm { return &BatchNorm{Eps: 1e-5, Momentum: 0.1, dims: 1} }

// NewBatchNorm2d returns a batch normalisation of image samples [C, H, W],
// with PyTorch's defaults; C comes from the first input.
func NewBatchNorm2d() *BatchNorm { return &BatchNorm{Eps: 1e-5, Momentum: 0.1, dims: 2} }

// Setup implements Layer.
func (bn *BatchNorm) Setup(in []int) []int {
	if bn.dims == 2 && len(in) != 3 || bn.dims == 1 && len(in) != 1 && len(in) != 2 {
		want := "[C, H, W]"
		if bn.dims == 1 {
			want = "[C] or [C, L]"
		}
		panic(fmt.Sprintf("nn: BatchNorm%dd input sample %v, want %s", bn.dims, in, want))
	}
	bn.in = append(bn.in[:0], in...)
	return in
}

// channels returns C.
func (bn *BatchNorm) channels() int { return bn.in[0] }

// minTrainBatch implements Sequential.MinTrainBatch: training needs two
// values of every channel, and a sample holds as many as its trailing
// axes (one after a Linear layer, H*W of an image).
func (bn *BatchNorm) minTrainBatch() int {
	s := numel(bn.in[1:])
	return (2 + s - 1) / s
}

// ParamSpecs implements Parametric: weight and bias, trained, then the
// state PyTorch keeps as buffers.
func (bn *BatchNorm) ParamSpecs() []ParamSpec {
	c := []int{bn.channels()}
	return []ParamSpec{
		{Name: "weight", Shape: c, Init: Constant(1)},
		{Name: "bias", Shape: c},
		{Name: "running_mean", Shape: c, State: true},
		{Name: "running_var", Shape: c, Init: Constant(1), State: true},
		{Name: "num_batches_tracked", Shape: []int{}, State: true, Counter: true},
	}
}

// Attach implements Parametric.
func (bn *BatchNorm) Attach(params, grads []*tensor.Tensor) {
	bn.w, bn.b, bn.runMean, bn.runVar, bn.batches = params[0], params[1], params[2], params[3], params[4]
	bn.dw, bn.db = grads[0], grads[1]
}

// Kind implements Layer.
func (bn *BatchNorm) Kind() string { return "bn" }

// Cost implements Layer: memory-bound. Forward reads x twice (statistics,
// then normalisation) and writes y; backward reads x and dy twice (sums,
// then the gradient) and writes dx. It keeps y.
func (bn *BatchNorm) Cost() Cost {
	x := 4 * int64(numel(bn.in))
	return Cost{ForwardBytes: 3 * x, BackwardBytes: 5 * x, ActivationBytes: x}
}

// Free implements Layer.
func (bn *BatchNorm) Free() {
	bn.y.free()
	for _, t := range []*tensor.Tensor{bn.mean, bn.invStd, bn.one} {
		if t != nil {
			t.Free()
		}
	}
	bn.mean, bn.invStd, bn.one = nil, nil, nil
	bn.args = tensor.BatchNormArgs{}
}

// String implements Layer, as PyTorch prints the layer.
func (bn *BatchNorm) String() string {
	return fmt.Sprintf("BatchNorm%dd(%d, eps=%g, momentum=%g, affine=True, track_running_stats=True)",
		bn.dims, bn.channels(), bn.Eps, bn.Momentum)
}

// Forward implements Layer.
func (bn *BatchNorm) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	dev := x.Device()
	if bn.mean == nil || bn.mean.Device() != dev {
		bn.Free()
		bn.mean, bn.invStd = tensor.Zeros(dev, bn.channels()), tensor.Zeros(dev, bn.channels())
		bn.one = tensor.Zeros(dev)
		tensor.Fill(bn.one, 1)
	}
	bn.args = tensor.BatchNormArgs{
		X: x, Y: bn.y.get(dev, tensor.Float32, x.Dim(0), bn.in),
		Scale: bn.w, Shift: bn.b, Mean: bn.mean, InvStd: bn.invStd,
		RunningMean: bn.runMean, RunningVar: bn.runVar,
		Train: p.Train, Eps: bn.Eps, Momentum: bn.Momentum,
	}
	tensor.BatchNorm(&bn.args)
	if p.Train {
		tensor.Axpy(1, bn.one, bn.batches)
	}
	return bn.args.Y
}

// Backward implements Layer: the input's gradient replaces dy.
func (bn *BatchNorm) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	a := &bn.args
	a.DY, a.DX, a.DScale, a.DShift, a.GradBeta = dy, dy, bn.dw, bn.db, bn.gradBeta()
	tensor.BatchNormGrad(a)
	a.DY, a.DX = nil, nil
	if !wantDX {
		return nil
	}
	return dy
}
