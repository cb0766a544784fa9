//go:build cuda

package cuda

import (
	"github.com/tensorforge/tensorforge/tensor"
)

// AvgPool computes y as the mean of each window of x [N, C, H, W], the
// padding counted as zeros, one thread per output.
func (d *Device) AvgPool(y, x *tensor.Tensor, w tensor.Window) {
	d.do("AvgPool", func() {
		args, planes, _, out := windowArgs(x.Shape(), w)
		d.launch("avgpool_f32", gridFor(planes*out, threads), dim3{threads, 1, 1}, 0,
			append([]any{d.ptr(y), d.ptr(x)}, args...)...)
	})
}

// AvgPoolGrad overwrites dx [N, C, H, W] with AvgPool's adjoint applied to
// dy, one thread per pixel gathering the windows that hold it: no atomics,
// and a fixed order.
func (d *Device) AvgPoolGrad(dx, dy *tensor.Tensor, w tensor.Window) {
	d.do("AvgPoolGrad", func() {
		args, planes, in, _ := windowArgs(dx.Shape(), w)
		d.launch("avgpool_grad_f32", gridFor(planes*in, threads), dim3{threads, 1, 1}, 0,
			append([]any{d.ptr(dx), d.ptr(dy)}, args...)...)
	})
}
