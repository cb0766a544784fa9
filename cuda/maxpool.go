//go:build cuda

package cuda

import (
	"github.com/tensorforge/tensorforge/tensor"
)

// MaxPool computes y and argmax for x [N, C, H, W], one thread per output;
// x and y may be stored in bfloat16.
func (d *Device) MaxPool(y, argmax, x *tensor.Tensor, w tensor.Window) {
	d.do("MaxPool", func() {
		args, planes, _, out := windowArgs(x.Shape(), w)
		args = append([]any{d.ptr(y), d.ptr(argmax), d.ptr(x)}, args...)
		d.launch("maxpool_f32", gridFor(planes*out, threads), dim3{threads, 1, 1}, 0,
			append(args, flag(x.DType() == tensor.BFloat16), flag(y.DType() == tensor.BFloat16))...)
	})
}

// MaxPoolGrad overwrites dx with the sum of the dy entries whose argmax
// points at each pixel, zero where mask (if any) is not positive: one
// thread per pixel gathers them from the outputs whose windows hold it
// (see maxpool_grad_f32). The mask may be stored in bfloat16.
func (d *Device) MaxPoolGrad(dx, dy, argmax *tensor.Tensor, w tensor.Window, mask *tensor.Tensor) {
	d.do("MaxPoolGrad", func() {
		args, planes, in, _ := windowArgs(dx.Shape(), w)
		args = append([]any{d.ptr(dx), d.ptr(dy), d.ptr(argmax), d.maybePtr(mask)}, args...)
		d.launch("maxpool_grad_f32", gridFor(planes*in, threads), dim3{threads, 1, 1}, 0,
			append(args, flag(mask != nil && mask.DType() == tensor.BFloat16))...)
	})
}
