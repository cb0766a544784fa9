//go:build cuda

package cuda

import (
	"github.com/tensorforge/tensorforge/tensor"
)

// biasGradThreads is BIAS_GRAD_THREADS in kernels/bias.cu.
const biasGradThreads = 512

// channelDims returns the batch, the channels and the elements per channel
// and image of activations y [N, C, ...], the view [N, C, S] of the
// per-channel kernels (bias, batch normalisation).
func channelDims(y *tensor.Tensor) (outer int64, c int, inner int64) {
	inner = 1
	for _, v := range y.Shape()[2:] {
		inner *= int64(v)
	}
	return int64(y.Dim(0)), y.Dim(1), inner
}

// BiasAdd computes y[n, c, ...] += b[c].
func (d *Device) BiasAdd(y, b *tensor.Tensor) {
	d.do("BiasAdd", func() {
		_, c, inner := channelDims(y)
		checkInt32("channels", c)
		n := int64(y.Len())
		d.launch("bias_add_f32", gridFor(n, threads), dim3{threads, 1, 1}, 0, d.ptr(y), d.ptr(b), n, c, inner)
	})
}

// BiasGrad computes db[c] = beta*db[c] + the sum of dy[n, c, ...], one
// block per channel reducing in a fixed order.
func (d *Device) BiasGrad(db, dy *tensor.Tensor, beta float32) {
	d.do("BiasGrad", func() {
		outer, c, inner := channelDims(dy)
		checkInt32("channels", c)
		d.launch("bias_grad_f32", dim3{c, 1, 1}, dim3{biasGradThreads, 1, 1}, 0, d.ptr(db), d.ptr(dy), outer, c, inner, beta)
	})
}
