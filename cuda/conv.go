//go:build cuda

package cuda

import (
	"github.com/tensorforge/tensorforge/tensor"
)

// windowArgs returns the kernel arguments that follow the pointers of
// im2col_f32, col2im_f32, maxpool_f32 and the avgpool kernels (planes, H,
// W, KH, KW, SH, SW, PH, PW, OH, OW) for images of shape img [N, C, H, W],
// with the number of planes and of pixels in an input and in an output
// plane. Inside do: it panics when a plane is too large for the kernels'
// int indices.
func windowArgs(img []int, w tensor.Window) (args []any, planes, in, out int64) {
	h, wd := img[2], img[3]
	oh, ow := w.Out(h, wd)
	checkInt32("input plane", h*wd)
	checkInt32("output plane", oh*ow)
	checkInt32("column rows per image", img[1]*w.KH*w.KW)
	planes = int64(img[0]) * int64(img[1])
	args = []any{planes, h, wd, w.KH, w.KW, w.SH, w.SW, w.PH, w.PW, oh, ow}
	return args, planes, int64(h * wd), int64(oh * ow)
}

// Im2col unfolds images x [N, C, H, W] into cols [N, C*KH*KW, OH*OW], one
// thread per output position.
func (d *Device) Im2col(cols, x *tensor.Tensor, w tensor.Window) {
	d.do("Im2col", func() {
		args, planes, _, out := windowArgs(x.Shape(), w)
		d.launch("im2col_f32", gridFor(planes*out, threads), dim3{threads, 1, 1}, 0,
			append([]any{d.ptr(cols), d.ptr(x)}, args...)...)
	})
}

// Col2im overwrites dx [N, C, H, W] with the adjoint of Im2col applied to
// cols, one thread per pixel gathering its column entries.
func (d *Device) Col2im(dx, cols *tensor.Tensor, w tensor.Window) {
	d.do("Col2im", func() {
		args, planes, in, _ := windowArgs(dx.Shape(), w)
		d.launch("col2im_f32", gridFor(planes*in, threads), dim3{threads, 1, 1}, 0,
			append([]any{d.ptr(dx), d.ptr(cols)}, args...)...)
	})
}
