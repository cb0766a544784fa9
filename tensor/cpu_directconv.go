package tensor

import (
	"sync"
	"sync/atomic"

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/internal/convmap"
	"github.com/tensorforge/tensorforge/tensor/gemm"
)

// The CPU's convolutions are implicit GEMMs, as the GPU's are: the image
// operand of each product is packed straight from the image tensor through
// a convmap.View (gemm.SgemmGather), so the column matrix Im2col would
// write, a whole batch's of it (or a workspace's chunk, read back from
// memory), never exists. The products are the ones nn's im2col path runs,
// with the same blocking and kernels: the forward pass and the weight
// gradient give the same bits as Im2col and Gemm. The data gradient is one
// product of the weight, as [C, O*KH*KW], with DataGrad's view of dy, where
// the im2col path multiplies into columns and sums them with Col2im.
// Epilogues (bias, ReLU, the ReLU mask) run on each image's output as soon
// as its product is done, while it is still in cache.

// ConvDirect implements DirectConv: true unless the device was made with
// CPUIm2colConv.
func (d *cpuDevice) ConvDirect() bool { return !d.im2col }

// imageGather is an image tensor's batch read through a view: product b's
// operand is the view of image first+b.
type imageGather struct {
	v     *convmap.View
	src   activation
	image int // elements from one image to the next
	first int
}

// gatherOf returns the gather of t's images through v.
func gatherOf(v *convmap.View, t *Tensor) imageGather {
	return imageGather{v: v, src: activationOf(t), image: t.Len() / t.shape[0]}
}

// Gather implements gemm.Gather.
func (g *imageGather) Gather(dst []float32, ld, b, i0, rows, j0, n int) {
	at := (g.first + b) * g.image
	if g.src.h != nil {
		g.v.GatherBF16(dst, ld, g.src.h[at:][:g.image], i0, rows, j0, n)
		return
	}
	g.v.Gather(dst, ld, g.src.f[at:][:g.image], i0, rows, j0, n)
}

// viewKey names a view: the data gradient's (grad) or the forward pass's,
// of images of c channels, h x w, through win.
type viewKey struct {
	grad    bool
	c, h, w int
	win     Window
}

// views holds the views made so far, one per layer geometry, up to
// maxViews of them: a view is immutable, and rebuilding its table every
// call would allocate; past the bound (a program that convolves images of
// ever new sizes) views are made per call rather than held for good.
var (
	views     sync.Map
	viewCount atomic.Int32
)

const maxViews = 256

// viewOf returns the view k names.
func viewOf(k viewKey) *convmap.View {
	if v, ok := views.Load(k); ok {
		return v.(*convmap.View)
	}
	mk := convmap.Forward
	if k.grad {
		mk = convmap.DataGrad
	}
	v := mk(k.c, k.h, k.w, convmap.Window(k.win))
	if viewCount.Add(1) > maxViews {
		viewCount.Add(-1)
		return v
	}
	if held, loaded := views.LoadOrStore(k, v); loaded {
		viewCount.Add(-1)
		return held.(*convmap.View)
	}
	return v
}

// convCall is one convolution product in flight: its arguments and its
// epilogue. Calls are pooled, and the epilogues bound once, so a call
// allocates nothing once warm.
type convCall struct {
	args       gemm.GatherArgs
	gather     imageGather
	out, b     []float32  // the product's output and the bias
	mask       activation // the ReLU's output, for the data gradient
	rounded    []uint16   // a BFloat16 y, where out is a buffer for it
	image, pos int        // elements of one image of out, and of one plane
	relu       bool
	biasReLU   func(i int) // bound to forward
	masked     func(i int) // bound to unmask
}

var convCalls = sync.Pool{New: func() any {
	c := new(convCall)
	c.biasReLU, c.masked = c.forward, c.unmask
	return c
}}

// run computes the product c.args describes, over g's images, on d's
// workers, and returns c to the pool.
func (c *convCall) run(d *cpuDevice, g imageGather, p Precision) {
	c.gather = g
	c.args.B, c.args.Alpha, c.args.BF16 = &c.gather, 1, p == BF16
	gemm.Workers(d.workers).SgemmGather(&c.args)
	*c = convCall{biasReLU: c.biasReLU, masked: c.masked} // drop the caller's slices
	convCalls.Put(c)
}

// forward adds the bias (none where b is nil) to image i's output, then
// applies relu where c.relu is set: what BiasAdd and ReLU do, on one
// image, while it is in cache; then rounds it into c.rounded, if set.
func (c *convCall) forward(i int) {
	y := c.out[i*c.image:][:c.image]
	for ch := range c.image / c.pos {
		var v float32
		if c.b != nil {
			v = c.b[ch]
		}
		if c.relu || c.b != nil {
			addBias(y[ch*c.pos:][:c.pos], v, c.relu)
		}
	}
	if c.rounded != nil {
		bf16.RoundSlice(c.rounded[i*c.image:][:c.image], y)
	}
}

// unmask zeroes image i's data gradient where the mask is not positive.
func (c *convCall) unmask(i int) {
	c.mask.mask(c.out[i*c.image:][:c.image], i*c.image)
}

func (d *cpuDevice) ConvForward(y, x, w, bias *Tensor, win Window, p Precision, relu bool) {
	n, ch, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	o, pos := y.shape[1], y.shape[2]*y.shape[3]
	g := gatherOf(viewOf(viewKey{false, ch, h, wd, win}), x)
	if y.DType() == Float32 {
		d.convForward(f32(y), nil, g, w, bias, n, o, pos, p, relu)
		return
	}
	// A BFloat16 y: the products write a few images at a time into a
	// float32 buffer of at most colsBytes (but two images a worker), and
	// each image's epilogue rounds it into y.
	image := o * pos
	workers, _ := CPUWorkers(d)
	chunk := max(1, min(n, max(colsBytes/(4*image), 2*workers)))
	buf := scratch.get(chunk * image)
	defer scratch.put(buf)
	ys := b16(y)
	for i := 0; i < n; i += chunk {
		m := min(chunk, n-i)
		g.first = i
		d.convForward((*buf)[:m*image], ys[i*image:][:m*image], g, w, bias, m, o, pos, p, relu)
	}
}

// convForward runs ConvForward's product for the n images g gathers into
// out, with its epilogue; out is a buffer when rounded, the images'
// BFloat16 y, is set.
func (d *cpuDevice) convForward(out []float32, rounded []uint16, g imageGather, w, bias *Tensor, n, o, pos int, p Precision, relu bool) {
	k := w.shape[1]
	c := convCalls.Get().(*convCall)
	c.out, c.rounded, c.image, c.pos, c.relu = out, rounded, o*pos, pos, relu
	c.args = gemm.GatherArgs{M: o, N: pos, K: k, A: f32(w), LDA: k, C: out, LDC: pos, StrideC: o * pos, Batch: n}
	if bias != nil {
		c.b = f32(bias)
	}
	if bias != nil || relu || rounded != nil {
		c.args.Then = c.biasReLU
	}
	c.run(d, g, p)
}

// floatPool holds float32 buffers of one use, so that a call gets back a
// buffer of about the size it asked for before.
type floatPool struct{ sync.Pool }

// get returns a pooled buffer of at least n floats; put returns it.
func (p *floatPool) get(n int) *[]float32 {
	buf, _ := p.Get().(*[]float32)
	if buf == nil || len(*buf) < n {
		s := make([]float32, n)
		buf = &s
	}
	return buf
}

func (p *floatPool) put(buf *[]float32) { p.Put(buf) }

// scratch holds the convolutions' buffers: the data gradient's permuted
// weight, a few images' columns, or a few images' outputs on their way to
// bfloat16 (at most colsBytes each); planes holds single image planes, a
// pooling worker's widened from bfloat16.
var scratch, planes floatPool

// implicitDataGrad reports whether the data gradient of a convolution of
// images [c, h, w] into [o, oh, ow] runs as an implicit GEMM. Its operand,
// DataGrad's view of dy, has o*KH*KW rows of h*w positions, where im2col's
// data gradient writes c*KH*KW rows of oh*ow and Col2im reads them back;
// each gathered element costs about what a column's write and read do, in
// cache where the columns go through memory. With a stride above 1 most
// of the view is zeros: 15 in 16 for AlexNet's conv1, whose backward pass
// at batch 128 took 26.6 s through the view against 0.15 s through the
// columns, on Zen 4. So the view is used at stride 1 while it is at most
// three times the columns. Measured on Zen 4: AlexNet's conv2 (96 to 256
// channels, 2.7 times) level both ways, conv3-5 (0.7 to 1.5 times) up to
// 5% faster; LeNet's conv2 (6 to 16 channels, valid, 14x14 to 10x10: 5.2
// times) 10.5-10.7 ms against 2.5 at batch 256.
func implicitDataGrad(c, h, w, o, oh, ow int, win Window) bool {
	return win.SH == 1 && win.SW == 1 && o*h*w <= 3*c*oh*ow
}

func (d *cpuDevice) ConvDataGrad(dx, dy, w *Tensor, win Window, p Precision, mask *Tensor) {
	n, ch, h, wd := dx.shape[0], dx.shape[1], dx.shape[2], dx.shape[3]
	o := dy.shape[1]
	kk := win.KH * win.KW
	if !implicitDataGrad(ch, h, wd, o, dy.shape[2], dy.shape[3], win) {
		d.colsDataGrad(dx, dy, w, win, p, mask)
		return
	}
	buf := scratch.get(w.Len())
	defer scratch.put(buf)
	wt := (*buf)[:w.Len()]
	convmap.PermuteWeight(wt, f32(w), o, ch, kk)
	c := convCalls.Get().(*convCall)
	c.out, c.image = f32(dx), ch*h*wd
	c.args = gemm.GatherArgs{M: ch, N: h * wd, K: o * kk, A: wt, LDA: o * kk, C: c.out, LDC: h * wd, StrideC: c.image, Batch: n}
	if mask != nil {
		c.mask, c.args.Then = activationOf(mask), c.masked
	}
	c.run(d, gatherOf(viewOf(viewKey{true, o, h, wd, win}), dy), p)
}

// colsDataGrad is the data gradient as im2col computes it: the columns'
// gradient w^T dy_i of a few images at a time into a pooled buffer of at
// most colsBytes, summed into their dx_i by Col2im, each plane by one
// worker.
func (d *cpuDevice) colsDataGrad(dx, dy, w *Tensor, win Window, p Precision, mask *Tensor) {
	n, ch, h, wd := dx.shape[0], dx.shape[1], dx.shape[2], dx.shape[3]
	o, oh, ow := dy.shape[1], dy.shape[2], dy.shape[3]
	k, pos, image := ch*win.KH*win.KW, oh*ow, ch*h*wd
	chunk := max(1, min(n, colsBytes/(4*k*pos)))
	buf := scratch.get(chunk * k * pos)
	defer scratch.put(buf)
	batch := gemm.Workers(d.workers).SgemmBatch
	if p == BF16 {
		batch = gemm.Workers(d.workers).SgemmBatchBF16
	}
	dxs, dys, ws := f32(dx), f32(dy), f32(w)
	var masks activation
	if mask != nil {
		masks = activationOf(mask)
	}
	for i := 0; i < n; i += chunk {
		m := min(chunk, n-i)
		cols := (*buf)[:m*k*pos]
		batch(true, false, k, pos, o, 1, ws, k, dys[i*o*pos:], pos, o*pos, 0, cols, pos, k*pos, m)
		dxi := dxs[i*image:][:m*image]
		a := convArgs{x: dxi, cols: cols, h: h, w: wd, oh: oh, ow: ow, win: win, planeInner: win.KH * win.KW * pos}
		col2imLoop.For(d.workers, m*ch, 1, a)
		if mask != nil {
			masks.mask(dxi, i*image)
		}
	}
}

// colsBytes bounds colsDataGrad's columns: 16 MiB holds 11 images of
// AlexNet's conv1, enough for each chunk's Col2im to give every worker
// planes of its own.
const colsBytes = 16 << 20

func (d *cpuDevice) ConvWeightGrad(dw, dy, x *Tensor, win Window, p Precision, beta float32) {
	n, ch, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	o, pos := dy.shape[1], dy.shape[2]*dy.shape[3]
	k := ch * win.KH * win.KW
	c := convCalls.Get().(*convCall)
	c.args = gemm.GatherArgs{TransB: true, M: o, N: k, K: pos, A: f32(dy), LDA: pos, StrideA: o * pos,
		Beta: beta, C: f32(dw), LDC: k, Batch: n}
	c.run(d, gatherOf(viewOf(viewKey{false, ch, h, wd, win}), x), p)
}
