//go:build cuda

package cuda

import (
	"unsafe"

	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/internal/convmap"
	"github.com/tensorforge/tensorforge/tensor"
)

// The Device is a tensor.DirectConv: its convolutions run the implicit-GEMM
// kernels of kernels/conv.cu, which read the images through convmap's
// views instead of an im2col column matrix. It is a
// tensor.BF16Activations too.
var (
	_ tensor.DirectConv      = (*Device)(nil)
	_ tensor.BF16Activations = (*Device)(nil)
)

// ConvDirect reports whether layers should use the direct convolution:
// true unless the device was opened with Im2colConv.
func (d *Device) ConvDirect() bool { return !d.im2col }

// viewKind says which of convmap's views a viewKey is.
type viewKind uint8

const (
	forwardView viewKind = iota
	dataGradView
)

// viewKey is everything a view depends on: its kind, the channels of the
// tensor it reads, the plane of the convolution's input and the window.
// Views do not depend on the batch, so a model has a few.
type viewKey struct {
	kind    viewKind
	c, h, w int
	win     tensor.Window
}

// view returns the device copy of the view key describes, uploading it on
// first use. Views stay on the device: they are small (16 bytes a row, a
// few thousand rows for a large layer) and as many as the distinct layer
// geometries run. A program that convolves images of ever new sizes would
// pile them up, so past maxViews the device waits for its queued kernels
// and frees them all, as the CPU device stops holding its own. Inside do.
func (d *Device) view(k viewKey) cu.DevicePtr {
	if p, ok := d.views[k]; ok {
		return p
	}
	if len(d.views) >= maxViews {
		d.wait()
		for _, p := range d.views {
			cu.MemFree(p)
		}
		clear(d.views)
	}
	v := convmap.Forward(k.c, k.h, k.w, convmap.Window(k.win))
	if k.kind == dataGradView {
		v = convmap.DataGrad(k.c, k.h, k.w, convmap.Window(k.win))
	}
	words := v.Words()
	n := int64(len(words)) * 4
	// Fresh memory rather than a pooled block: the copy below is not on
	// the stream, so it must not land in a block queued kernels still use.
	p := d.fresh(n, n)
	cu.MemcpyHtoD(p, unsafe.Pointer(&words[0]), n)
	d.views[k] = p
	return p
}

// maxViews bounds the views a device holds, as the CPU's are bounded:
// a convolution uses two at most.
const maxViews = 256

// convData launches conv_data: C = A x view, scattered into images of
// m channels, plus bias unless it is 0, through a ReLU when relu is set,
// and zero where mask (unless 0) is not positive. y16 and m16 say that C
// and the mask are stored in bfloat16. Inside do.
func (d *Device) convData(p tensor.Precision, strided bool, c, a, x, view, bias, mask cu.DevicePtr, m, n, k int, relu, y16, m16 bool) {
	arith, _, shared := mathOf(p, d.exact.Load())
	kernel := "conv_data_" + arith
	if strided {
		kernel += "_strided"
	}
	checkInt32("columns of the product", n)
	d.launch(kernel, dim3{tilesOf(m, n), 1, 1}, dim3{gemmThreads, 1, 1}, shared,
		c, a, x, view, bias, mask, m, n, k, k, copies16(a, k, 0, 1), flag(relu), flag(y16), flag(m16))
}

// imageOperand returns the float32 image a product reads for x: x itself,
// or, for an x stored in bfloat16, a workspace holding it widened, which
// done gives back. The widening is one pass over x: for AlexNet's largest
// at batch 128 (pool1's output, 8.3 million elements, 50 MB read and
// written) some 15-20 microseconds at an H100's bandwidth, an estimate
// not yet measured. Read inside the product instead, through registers
// two bytes at a time (cp.async copies four or more), the elements cost
// the main loop 15-145% more sm_90 instructions (kernels/conv.cu). Inside
// do.
func (d *Device) imageOperand(x *tensor.Tensor) (ptr cu.DevicePtr, done func()) {
	if x.DType() != tensor.BFloat16 {
		return d.ptr(x), func() {}
	}
	n := int64(x.Len())
	ws, class := d.alloc(n * 4)
	d.launch("widen_bf16", gridFor(n, threads), dim3{threads, 1, 1}, 0, ws, d.ptr(x), n)
	// The stream runs in order: the block is free for reuse once the
	// product that reads it is queued.
	return ws, func() { d.release(ws, class) }
}

// ConvForward writes y = conv(x, w) + bias, and its ReLU when relu is
// set, with conv_data on the forward view of x.
func (d *Device) ConvForward(y, x, w, bias *tensor.Tensor, win tensor.Window, p tensor.Precision, relu bool) {
	d.do("ConvForward", func() {
		n, c, h, wd := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
		o, oh, ow := y.Dim(1), y.Dim(2), y.Dim(3)
		v := d.view(viewKey{forwardView, c, h, wd, win})
		xp, done := d.imageOperand(x)
		defer done()
		d.convData(p, false, d.ptr(y), d.ptr(w), xp, v, d.maybePtr(bias), 0, o, n*oh*ow, c*win.KH*win.KW,
			relu, y.DType() == tensor.BFloat16, false)
	})
}

// ConvDataGrad writes dx with conv_data on the data-gradient view of dy,
// after conv_weight_t has permuted w into a workspace, zeroing it where
// mask (if any) is not positive.
func (d *Device) ConvDataGrad(dx, dy, w *tensor.Tensor, win tensor.Window, p tensor.Precision, mask *tensor.Tensor) {
	d.do("ConvDataGrad", func() {
		n, c, h, wd := dx.Dim(0), dx.Dim(1), dx.Dim(2), dx.Dim(3)
		o, kk := dy.Dim(1), win.KH*win.KW
		size := int64(o) * int64(c) * int64(kk)
		wt, class := d.alloc(size * 4)
		defer d.release(wt, class) // the stream runs in order
		d.launch("conv_weight_t", gridFor(size, threads), dim3{threads, 1, 1}, 0, wt, d.ptr(w), o, c, kk)
		v := d.view(viewKey{dataGradView, o, h, wd, win})
		strided := win.SH > 1 || win.SW > 1
		if strided {
			// The strided kernels divide a coordinate of dy's plane
			// spread by the strides (below oh*SH) by a stride through
			// a 32-bit product (kernels/conv_gather.cuh, quotient).
			checkInt32("the data gradient's rows times the stride squared", dy.Dim(2)*win.SH*win.SH)
			checkInt32("the data gradient's columns times the stride squared", dy.Dim(3)*win.SW*win.SW)
		}
		d.convData(p, strided, d.ptr(dx), wt, d.ptr(dy), v, 0, d.maybePtr(mask), c, n*h*wd, o*kk,
			false, false, mask != nil && mask.DType() == tensor.BFloat16)
	})
}

// ConvWeightGrad writes dw = beta*dw + conv_weight over dy, read as the
// output's rows, and the forward view of x, sliced along the batch's
// positions as the GEMM's batch sums are.
func (d *Device) ConvWeightGrad(dw, dy, x *tensor.Tensor, win tensor.Window, p tensor.Precision, beta float32) {
	d.do("ConvWeightGrad", func() {
		n, c, h, wd := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
		o, oh, ow := dy.Dim(1), dy.Dim(2), dy.Dim(3)
		arith, bk, shared := mathOf(p, d.exact.Load())
		m, cols, k := o, c*win.KH*win.KW, n*oh*ow
		checkInt32("positions of the batch", k)
		tiles := tilesOf(m, cols)
		v := d.view(viewKey{forwardView, c, h, wd, win})
		xp, done := d.imageOperand(x)
		defer done()
		run := func(cp cu.DevicePtr, ldc int, strideC int64, chunk, z int, alpha, beta float32) {
			d.launch("conv_weight_"+arith, dim3{tiles, 1, z}, dim3{gemmThreads, 1, 1}, shared,
				cp, d.ptr(dy), oh*ow, xp, v, m, cols, k, ldc, strideC, chunk, alpha, beta)
		}
		d.sliced(run, d.ptr(dw), m, cols, cols, tiles, (k+bk-1)/bk, 1, beta)
	})
}

// StoresBF16 implements tensor.BF16Activations: the convolutions and
// max-pooling read and write activations stored in bfloat16.
func (d *Device) StoresBF16() bool { return true }

// flag is a kernel's int32 switch: 1 for true.
func flag(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
