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
// with the same blocking and kernels: the forward pass gives the same bits
// as Im2col and Gemm, and so does the weight gradient but over small maps.
// The data gradient is one product of the weight, as [C, O*KH*KW], with
// DataGrad's view of dy, where the im2col path multiplies into columns and
// sums them with Col2im. Over small maps a product takes several images
// side by side (see foldOf), whose weight gradient then sums over their
// positions at once. Epilogues (bias, ReLU, the ReLU mask) run on each
// image's output as soon as its product is done, while it is still in
// cache.

// ConvDirect implements DirectConv: true unless the device was made with
// CPUIm2colConv.
func (d *cpuDevice) ConvDirect() bool { return !d.im2col }

// imageGather is an image tensor's batch read through a view: product
// b's operand is the views of images first+b*fold .. first+b*fold+fold-1
// side by side, each pos columns (positions) wide.
type imageGather struct {
	v         *convmap.View
	src       activation
	image     int // elements from one image to the next
	first     int
	fold, pos int
}

// gatherOf returns the gather of t's images through v, one a product.
func gatherOf(v *convmap.View, t *Tensor) imageGather {
	return imageGather{v: v, src: activationOf(t), image: t.Len() / t.shape[0], fold: 1, pos: int(v.P)}
}

// Gather implements gemm.Gather, a piece of each image the columns
// [j0, j0+n) cross at a time, or whole images side by side in one call.
func (g *imageGather) Gather(dst []float32, ld, b, i0, rows, j0, n int) {
	img, j := g.first+b*g.fold+j0/g.pos, j0%g.pos
	for done := 0; done < n; {
		at := img * g.image
		if whole := (n - done) / g.pos; j == 0 && whole > 1 {
			if g.src.h != nil {
				g.v.GatherImagesBF16(dst[done:], ld, g.src.h[at:][:whole*g.image], i0, rows, whole)
			} else {
				g.v.GatherImages(dst[done:], ld, g.src.f[at:][:whole*g.image], i0, rows, whole)
			}
			img, done = img+whole, done+whole*g.pos
			continue
		}
		w := min(n-done, g.pos-j)
		if g.src.h != nil {
			g.v.GatherBF16(dst[done:], ld, g.src.h[at:][:g.image], i0, rows, j, w)
		} else {
			g.v.Gather(dst[done:], ld, g.src.f[at:][:g.image], i0, rows, j, w)
		}
		img, j, done = img+1, 0, done+w
	}
}

// foldCols is the least width a convolution's products are given by
// folding images into one (see foldOf): a product one image wide over a
// small map leaves most of the kernels' 32 columns empty (a 3x3 map, 9
// of them).
const foldCols = 128

// foldOf returns how many of n images, of pos positions each, one product
// takes side by side: 1 for maps of foldCols positions or more, else at
// least enough to fill foldCols columns, and up to four times that many
// where their columns come closer to whole panels of the kernels' 32
// (foldPanel): a 3x3 map takes 32 images, 288 columns, where 15 filled 4
// panels and 7 columns of a fifth. It depends on the sizes alone, so the
// products, and their bits, are the same for every worker count.
func foldOf(pos, n int) int {
	if pos >= foldCols {
		return 1
	}
	least := (foldCols + pos - 1) / pos
	// waste is the columns a product of f images leaves empty in its last
	// panel, as a fraction waste(f)/(f*pos).
	waste := func(f int) int { return roundUp(f*pos, foldPanel) - f*pos }
	best := least
	for f := least + 1; f <= 4*least; f++ {
		if waste(f)*best*pos < waste(best)*f*pos {
			best = f
		}
	}
	return max(1, min(n, best))
}

// foldPanel is the width foldOf fills whole panels of: a multiple of every
// kernel's (AVX-512's 32, AVX2's 16 or 8).
const foldPanel = 32

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// eachRun calls fn for the products of a batch of n images taken fold at
// a time, in runs of at most chunk images (a multiple of fold, or n):
// first, the run's first image, then how many products of how many
// images each. A run's images left over by fold make a product of their
// own, after its whole groups.
func eachRun(n, fold, chunk int, fn func(first, products, fold int)) {
	for i := 0; i < n; i += chunk {
		m := min(chunk, n-i)
		if whole := m / fold; whole > 0 {
			fn(i, whole, fold)
		}
		if rest := m % fold; rest > 0 {
			fn(i+m-rest, 1, rest)
		}
	}
}

// buffered runs a pass's products over n images, fold a product, a few
// at a time into a pooled float32 buffer of at most colsBytes (but two
// products a worker): start gets each run's call, whose C is in the
// buffer, to say where its images go and to run it.
func (d *cpuDevice) buffered(n, rows, pos, fold int, start func(c *convCall)) {
	image := rows * pos
	workers, _ := CPUWorkers(d)
	chunk := min(n, max(1, colsBytes/(4*image*fold), 2*workers)*fold)
	buf := scratch.get(chunk * image)
	defer scratch.put(buf)
	eachRun(n, fold, chunk, func(first, products, fold int) {
		start(call((*buf)[:products*fold*image], rows, pos, first, fold, products))
	})
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
//
// A call covers the images from first on, fold a product. A product's
// output C has rows rows, each fold images of pos elements side by side
// (ld = fold*pos apart); the images' own layout is rows planes of pos
// elements. Where products take one image each and write float32, C is
// the images' tensor itself; otherwise C is a buffer and the epilogue
// moves each image to dst, or rounds it into rounded.
type convCall struct {
	args      gemm.GatherArgs
	gather    imageGather
	out       []float32  // the products' C
	dst       []float32  // the images' float32 tensor, where out is a buffer
	rounded   []uint16   // the images' BFloat16 tensor, where out is a buffer
	b         []float32  // the bias, or nil
	mask      activation // the ReLU's output, for the data gradient
	first     int        // the call's first image in the batch (and in dst, rounded, mask)
	rows, pos int        // an image's planes, and their elements
	fold, ld  int        // images a product, and elements of C's rows
	relu      bool
	biasReLU  func(i int) // bound to forward
	masked    func(i int) // bound to unmask
}

var convCalls = sync.Pool{New: func() any {
	c := new(convCall)
	c.biasReLU, c.masked = c.forward, c.unmask
	return c
}}

// call returns a pooled call over products of the images from first on,
// fold a product, whose products write C = out with rows rows of fold
// images of pos elements each.
func call(out []float32, rows, pos, first, fold, products int) *convCall {
	c := convCalls.Get().(*convCall)
	c.out, c.rows, c.pos, c.first, c.fold, c.ld = out, rows, pos, first, fold, fold*pos
	c.args = gemm.GatherArgs{C: out, LDC: c.ld, StrideC: rows * c.ld, Batch: products}
	return c
}

// run computes the product c.args describes, over g's images from
// c.first on in products of c.fold, on d's workers, and returns c to the
// pool.
func (c *convCall) run(d *cpuDevice, g imageGather, p Precision) {
	c.gather = g
	c.gather.first, c.gather.fold = c.first, c.fold
	c.args.B, c.args.Alpha, c.args.BF16 = &c.gather, 1, p == BF16
	gemm.Workers(d.workers).SgemmGather(&c.args)
	*c = convCall{biasReLU: c.biasReLU, masked: c.masked} // drop the caller's slices
	convCalls.Put(c)
}

// image returns image b of product i as it lies in C: its plane r is
// image[r*c.ld:][:c.pos].
func (c *convCall) image(i, b int) []float32 {
	return c.out[i*c.rows*c.ld+b*c.pos:]
}

// place moves image b of product i, from where it lies in C (src) to
// dst, or rounds it into rounded, where the call has either, and returns
// the image's elements where they now lie in float32, or nil.
func (c *convCall) place(i, b int, src []float32) []float32 {
	size := c.rows * c.pos
	img := (c.first + i*c.fold + b) * size
	switch {
	case c.rounded != nil && c.ld == c.pos:
		bf16.RoundSlice(c.rounded[img:][:size], src[:size])
	case c.rounded != nil:
		for r := range c.rows {
			bf16.RoundSlice(c.rounded[img+r*c.pos:][:c.pos], src[r*c.ld:][:c.pos])
		}
	case c.dst != nil:
		for r := range c.rows {
			copy(c.dst[img+r*c.pos:][:c.pos], src[r*c.ld:][:c.pos])
		}
		return c.dst[img:][:size]
	default:
		return src[:size]
	}
	return nil
}

// forward finishes product i: to each of its images it adds the bias
// (none where b is nil) and applies relu where c.relu is set, what
// BiasAdd and ReLU do, while the image is in cache; then places it.
func (c *convCall) forward(i int) {
	for b := range c.fold {
		y := c.image(i, b)
		if c.relu || c.b != nil {
			for ch := range c.rows {
				var v float32
				if c.b != nil {
					v = c.b[ch]
				}
				addBias(y[ch*c.ld:][:c.pos], v, c.relu)
			}
		}
		c.place(i, b, y)
	}
}

// unmask places product i's images of the data gradient and zeroes each
// where the mask, if any, is not positive.
func (c *convCall) unmask(i int) {
	for b := range c.fold {
		dx := c.place(i, b, c.image(i, b))
		if c.mask.f != nil || c.mask.h != nil {
			c.mask.mask(dx, (c.first+i*c.fold+b)*len(dx))
		}
	}
}

func (d *cpuDevice) ConvForward(y, x, w, bias *Tensor, win Window, p Precision, relu bool) {
	n, ch, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	o, pos := y.shape[1], y.shape[2]*y.shape[3]
	g := gatherOf(viewOf(viewKey{false, ch, h, wd, win}), x)
	fold := foldOf(pos, n)
	if y.DType() == Float32 && fold == 1 {
		d.convForward(call(f32(y), o, pos, 0, 1, n), g, w, bias, p, relu)
		return
	}
	// Each image's epilogue moves it from the buffer into y or rounds it
	// into a BFloat16 y.
	d.buffered(n, o, pos, fold, func(c *convCall) {
		if y.DType() == Float32 {
			c.dst = f32(y)
		} else {
			c.rounded = b16(y)
		}
		d.convForward(c, g, w, bias, p, relu)
	})
}

// convForward runs ConvForward's products, set up by call, over g's
// images, with their epilogue.
func (d *cpuDevice) convForward(c *convCall, g imageGather, w, bias *Tensor, p Precision, relu bool) {
	k := w.shape[1]
	c.args.M, c.args.N, c.args.K, c.args.A, c.args.LDA = c.rows, c.ld, k, f32(w), k
	c.relu = relu
	if bias != nil {
		c.b = f32(bias)
	}
	if bias != nil || relu || c.dst != nil || c.rounded != nil {
		c.args.Then = c.biasReLU
	}
	c.run(d, g, p)
}

// slicePool holds buffers of one use, so that a call gets back a buffer
// of about the size it asked for before.
type slicePool[T float32 | int32] struct{ sync.Pool }

// get returns a pooled buffer of at least n elements; put returns it.
func (p *slicePool[T]) get(n int) *[]T {
	buf, _ := p.Get().(*[]T)
	if buf == nil || len(*buf) < n {
		s := make([]T, n)
		buf = &s
	}
	return buf
}

func (p *slicePool[T]) put(buf *[]T) { p.Put(buf) }

// scratch holds the convolutions' buffers: the data gradient's permuted
// weight, a few images' columns, or a few images' outputs on their way to
// bfloat16 (at most colsBytes each); planes holds single image planes, a
// pooling worker's padded or widened from bfloat16, and the maxima of a
// padded plane's windows with their indices (planeArgs) before they are
// placed.
var (
	scratch, planes slicePool[float32]
	planeArgs       slicePool[int32]
)

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
	g := gatherOf(viewOf(viewKey{true, o, h, wd, win}), dy)
	var masks activation
	if mask != nil {
		masks = activationOf(mask)
	}
	pos := h * wd
	fold := foldOf(pos, n)
	if fold == 1 {
		d.convDataGrad(call(f32(dx), ch, pos, 0, 1, n), g, wt, masks, p)
		return
	}
	// Folded, each image's epilogue moves it from the buffer into dx.
	d.buffered(n, ch, pos, fold, func(c *convCall) {
		c.dst = f32(dx)
		d.convDataGrad(c, g, wt, masks, p)
	})
}

// convDataGrad runs ConvDataGrad's products, set up by call, of the
// permuted weight wt and g's views of dy, with their epilogue.
func (d *cpuDevice) convDataGrad(c *convCall, g imageGather, wt []float32, mask activation, p Precision) {
	k := len(wt) / c.rows
	c.args.M, c.args.N, c.args.K, c.args.A, c.args.LDA = c.rows, c.ld, k, wt, k
	c.mask = mask
	if mask.f != nil || mask.h != nil || c.dst != nil {
		c.args.Then = c.masked
	}
	c.run(d, g, p)
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
	g := gatherOf(viewOf(viewKey{false, ch, h, wd, win}), x)
	fold := foldOf(pos, n)
	a := f32(dy)
	if fold > 1 {
		// Folded, each product's A is its images' dy side by side.
		buf := scratch.get(len(a))
		defer scratch.put(buf)
		a = foldImages((*buf)[:len(a)], a, n, o, pos, fold)
	}
	// One C for all: each run's products add to what the last wrote.
	eachRun(n, fold, n, func(first, products, fold int) {
		kk := fold * pos
		c := convCalls.Get().(*convCall)
		c.first, c.fold = first, fold
		c.args = gemm.GatherArgs{TransB: true, M: o, N: k, K: kk, A: a[first*o*pos:], LDA: kk, StrideA: o * kk,
			Beta: beta, C: f32(dw), LDC: k, Batch: products}
		c.run(d, g, p)
		beta = 1
	})
}

// foldImages writes into dst the n images of src, each rows planes of pos
// elements, as products of fold images see them: the images of a product
// side by side, row r of the product the images' planes r one after the
// other; a last product of fewer images likewise. It returns dst.
func foldImages(dst, src []float32, n, rows, pos, fold int) []float32 {
	image := rows * pos
	for first := 0; first < n; first += fold {
		f := min(fold, n-first)
		at := first * image
		for b := range f {
			for r := range rows {
				copy(dst[at+r*f*pos+b*pos:][:pos], src[at+b*image+r*pos:][:pos])
			}
		}
	}
	return dst
}
