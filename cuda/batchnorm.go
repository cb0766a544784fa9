//go:build cuda

package cuda

import (
	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// batchNormThreads is BATCHNORM_THREADS in kernels/batchnorm.cu.
const batchNormThreads = 512

// BatchNorm normalises a.X into a.Y per channel. In training one block per
// channel computes the batch's mean and variance (two passes, in double,
// a fixed order) and updates the running statistics; otherwise a thread
// per channel takes the running ones. A second launch over the whole
// tensor writes Y.
func (d *Device) BatchNorm(a *tensor.BatchNormArgs) {
	d.do("BatchNorm", func() {
		n, c, s := channelDims(a.X)
		checkInt32("channels", c)
		if a.Train {
			d.launch("batchnorm_stats_f32", dim3{min(c, maxBlocks), 1, 1}, dim3{batchNormThreads, 1, 1}, 0,
				d.ptr(a.Mean), d.ptr(a.InvStd), d.ptr(a.RunningMean), d.ptr(a.RunningVar), d.ptr(a.X),
				n, c, s, a.Eps, a.Momentum)
		} else {
			d.launch("batchnorm_eval_stats_f32", gridFor(int64(c), threads), dim3{threads, 1, 1}, 0,
				d.ptr(a.Mean), d.ptr(a.InvStd), d.ptr(a.RunningMean), d.ptr(a.RunningVar), a.Eps, int64(c))
		}
		total := int64(a.X.Len())
		d.launch("batchnorm_f32", gridFor(total, threads), dim3{threads, 1, 1}, 0,
			d.ptr(a.Y), d.ptr(a.X), d.ptr(a.Scale), d.ptr(a.Shift), d.ptr(a.Mean), d.ptr(a.InvStd), total, c, s)
	})
}

// BatchNormGrad writes a.DX, and a.DScale and a.DShift as a.GradBeta says.
// One block per channel sums DY and DY*xhat in a fixed order and, in
// training, leaves their means in a scratch block from the pool; then a
// launch over the whole tensor writes DX. DX may alias DY: the sums are taken before DX is
// written. The scratch goes back to the pool once both are queued.
func (d *Device) BatchNormGrad(a *tensor.BatchNormArgs) {
	d.do("BatchNormGrad", func() {
		n, c, s := channelDims(a.X)
		checkInt32("channels", c)
		if n*s == 0 {
			// No values: the sums are zero and DX is empty. (The
			// per-channel walk would divide by S.)
			d.scaleGrads(a.GradBeta, a.DScale, a.DShift)
			return
		}
		var means cu.DevicePtr
		if a.Train {
			var class int64
			means, class = d.alloc(8 * int64(c))
			defer d.release(means, class)
		}
		d.launch("batchnorm_grad_reduce_f32", dim3{min(c, maxBlocks), 1, 1}, dim3{batchNormThreads, 1, 1}, 0,
			d.ptr(a.DScale), d.ptr(a.DShift), means, d.ptr(a.DY), d.ptr(a.X), d.ptr(a.Mean), d.ptr(a.InvStd), n, c, s, a.GradBeta)
		total := int64(a.X.Len())
		d.launch("batchnorm_grad_f32", gridFor(total, threads), dim3{threads, 1, 1}, 0,
			d.ptr(a.DX), d.ptr(a.DY), d.ptr(a.X), d.ptr(a.Scale), d.ptr(a.Mean), d.ptr(a.InvStd), means, total, c, s)
	})
}

// scaleGrads sets each of grads to beta times itself, what the gradient
// kernels leave when no values add to it: written as zeros for beta 0,
// never read. Inside do.
func (d *Device) scaleGrads(beta float32, grads ...*tensor.Tensor) {
	for _, g := range grads {
		n := int64(g.Len())
		switch {
		case beta == 1 || n == 0:
		case beta == 0:
			cu.MemsetD32Async(d.ptr(g), 0, n, d.stream)
		default:
			d.launch("scale_f32", gridFor(n, threads), dim3{threads, 1, 1}, 0, d.ptr(g), beta, n)
		}
	}
}
