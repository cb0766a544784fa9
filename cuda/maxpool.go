//go:build cuda

package cuda

import (
	"github.com/tensorforge/tensorforge/tensor"
)

// MaxPool computes y and argmax for x [N, C, H, W], one thread per output.
func (d *Device) MaxPool(y, argmax, x *tensor.Tensor, w tensor.Window) {
	d.do("MaxPool", func() {
		args, planes, _, out := windowArgs(x.Shape(), w)
		d.launch("maxpool_f32", gridFor(planes*out, threads), dim3{threads, 1, 1}, 0,
			append([]any{d.ptr(y), d.ptr(argmax), d.ptr(x)}, args...)...)
	})
}

// MaxPoolGrad overwrites dx with the sum of the dy entries whose argmax
// points at each pixel: one warp per plane adds them in output order (see
// maxpool_grad_f32), which is deterministic and needs no window.
func (d *Device) MaxPoolGrad(dx, dy, argmax *tensor.Tensor) {
	d.do("MaxPoolGrad", func() {
		s, o := dx.Shape(), dy.Shape()
		checkInt32("input plane", s[2]*s[3])
		checkInt32("output plane", o[2]*o[3])
		planes := int64(s[0]) * int64(s[1])
		d.launch("maxpool_grad_f32", dim3{int(min(planes, maxBlocks)), 1, 1}, dim3{32, 1, 1}, 0,
			d.ptr(dx), d.ptr(dy), d.ptr(argmax), planes, s[2]*s[3], o[2]*o[3])
	})
}
