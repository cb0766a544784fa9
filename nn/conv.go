package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// Conv2d is a 2-D convolution with bias. Its input and weight layouts are
// PyTorch's (NCHW; weight [out, in, KH, KW]); the weight is used as the
// matrix W [out, in*KH*KW].
//
// On a device with a direct convolution (tensor.DirectConv: the CPU's and
// the GPU's implicit GEMMs) each pass is one call over the whole batch and
// the layer needs no workspace. Elsewhere (a device set to im2col, such as
// tensor.CPUIm2colConv's) it is computed as im2col and one GEMM per image:
// Y_i = W x cols_i. The batch is unfolded in chunks of images whose
// columns fit the workspace, and each chunk's products run as one batched
// GEMM sharing W.
// Backward unfolds each chunk again rather than keeping every image's
// columns (hundreds of megabytes for a batch): dW += sum_i dY_i x cols_i^T
// in the GEMM's summing mode, then the same columns buffer is overwritten
// with dcols_i = W^T x dY_i and folded back into dx by Col2im.
type Conv2d struct {
	Out    int           // output channels
	Window tensor.Window // kernel, stride, padding
	// WeightInit and BiasInit start the parameters; nil means D2L's
	// init_cnn: Xavier-uniform weights and zero biases.
	WeightInit, BiasInit Init

	in      []int // one input sample: [C, H, W]
	oh, ow  int
	k       int // in-channels times kernel area: a column's length
	w, b    *tensor.Tensor
	dw, db  *tensor.Tensor
	ws      *Workspace
	x       *tensor.Tensor // the last Forward's input, for Backward
	y       batchBuf
	dx      gradBuf
	xs, ys  chunks
	dxs     chunks
	dys     chunks
	colsSrc *tensor.Tensor    // the workspace buffer the cols views are of
	cols    [2]*tensor.Tensor // views for a full chunk and the last one
	g       tensor.GemmArgs   // reused so a call allocates nothing
	prec    tensor.Precision  // of every product (see BuildOptions)
	relu    bool              // apply the next layer's ReLU (see Sequential.fuse)
	masked  bool              // apply the ReLU before's gradient, its output being x
	rounded storage           // the output's element type (see Sequential.roundOutputs)

	paramGrads // whether Backward overwrites the gradients (see gradOverwriter)
}

// NewConv2d returns a convolution to out channels over the given window;
// the input channels come from the first input.
func NewConv2d(out int, w tensor.Window) *Conv2d {
	return &Conv2d{Out: out, Window: w}
}

func (c *Conv2d) usePrecision(p tensor.Precision) { c.prec = p }

// Setup implements Layer: in is [C, H, W].
func (c *Conv2d) Setup(in []int) []int {
	oh, ow := windowOut("Conv2d", c.Window, in)
	c.in = append(c.in[:0], in...)
	c.oh, c.ow = oh, ow
	c.k = in[0] * c.Window.KH * c.Window.KW
	return []int{c.Out, oh, ow}
}

// ParamSpecs implements Parametric; the fans are PyTorch's: in*KH*KW and
// out*KH*KW.
func (c *Conv2d) ParamSpecs() []ParamSpec {
	fanIn, fanOut := c.k, c.Out*c.Window.KH*c.Window.KW
	return []ParamSpec{
		{Name: "weight", Shape: []int{c.Out, c.in[0], c.Window.KH, c.Window.KW}, FanIn: fanIn, FanOut: fanOut, Init: weightInit(c.WeightInit)},
		{Name: "bias", Shape: []int{c.Out}, FanIn: fanIn, FanOut: fanOut, Init: c.BiasInit},
	}
}

// Attach implements Parametric. The weight is kept as the [out, C*KH*KW]
// matrix the GEMMs read.
func (c *Conv2d) Attach(params, grads []*tensor.Tensor) {
	c.w, c.b = params[0].Reshape(c.Out, c.k), params[1]
	if grads[0] != nil {
		c.dw, c.db = grads[0].Reshape(c.Out, c.k), grads[1]
	}
}

// useWorkspace shares a model's workspace; without one the layer makes its
// own on first use.
func (c *Conv2d) useWorkspace(ws *Workspace) { c.ws = ws }

// Kind implements Layer.
func (c *Conv2d) Kind() string { return "conv" }

// Cost implements Layer: the forward GEMM, and for backward the weight
// gradient's and the columns gradient's, all M=out, N=OH*OW, K=C*KH*KW.
// The output is kept for the ReLU after it, which overwrites it in place:
// 4 bytes an element, 2 once a BF16 network stores it in bfloat16.
func (c *Conv2d) Cost() Cost {
	p := int64(c.oh * c.ow)
	f := 2 * int64(c.Out) * int64(c.k) * p
	return Cost{ForwardFLOPs: f, BackwardFLOPs: 2 * f, ActivationBytes: c.rounded.bytes(int64(c.Out) * p)}
}

// Free implements Layer.
func (c *Conv2d) Free() {
	c.y.free()
	c.dx.free()
	c.x, c.colsSrc, c.cols = nil, nil, [2]*tensor.Tensor{}
}

// inputGrad implements gradWriter.
func (c *Conv2d) inputGrad() *gradBuf { return &c.dx }

// String implements Layer.
func (c *Conv2d) String() string {
	inC := 0
	if len(c.in) > 0 {
		inC = c.in[0]
	}
	return fmt.Sprintf("Conv2d(%d, %d, %v)", inC, c.Out, c.Window)
}

// chunk returns how many images of a batch of n are unfolded at once
// within a workspace of budget bytes.
func (c *Conv2d) chunk(n, budget int) int {
	per := c.k * c.oh * c.ow * 4
	return max(1, min(n, budget/per))
}

// workspaceElems implements workspaceUser: the columns of a chunk, none on
// a device with a direct convolution.
func (c *Conv2d) workspaceElems(dev tensor.Device, n, budget int) int {
	if tensor.HasDirectConv(dev) {
		return 0
	}
	return c.chunk(n, budget) * c.k * c.oh * c.ow
}

// colsFor returns the columns views for chunks of size and the last,
// shorter one (of rem images; rem 0 means none), remade only when the
// workspace buffer or the chunk sizes changed.
func (c *Conv2d) colsFor(dev tensor.Device, size, rem int) [2]*tensor.Tensor {
	p := c.oh * c.ow
	buf := c.ws.get(dev, size*c.k*p)
	if buf != c.colsSrc || c.cols[0].Dim(0) != size || (rem > 0 && (c.cols[1] == nil || c.cols[1].Dim(0) != rem)) {
		c.colsSrc = buf
		c.cols[0] = tensor.ViewOf(buf.Storage(), buf.Offset(), size, c.k, p)
		c.cols[1] = nil
		if rem > 0 {
			c.cols[1] = c.cols[0].Slice(0, rem)
		}
	}
	return c.cols
}

// check panics unless x is a batch of the samples Setup was given.
func (c *Conv2d) check(x *tensor.Tensor) {
	sh := x.Shape()
	if len(sh) != 4 || sh[1] != c.in[0] || sh[2] != c.in[1] || sh[3] != c.in[2] {
		panic(fmt.Sprintf("nn: Conv2d set up for samples %v got input %v", c.in, sh))
	}
}

// prepare returns the chunk size and the columns views for x's batch.
func (c *Conv2d) prepare(x *tensor.Tensor) (size int, cols [2]*tensor.Tensor) {
	if c.ws == nil {
		c.ws = NewWorkspace(0)
	}
	c.ws.resolve()
	n := x.Dim(0)
	size = c.chunk(n, c.ws.Bytes)
	return size, c.colsFor(x.Device(), size, n%size)
}

// colsOf picks the columns view for a chunk of m images.
func colsOf(cols [2]*tensor.Tensor, m int) *tensor.Tensor {
	if cols[0].Dim(0) == m {
		return cols[0]
	}
	return cols[1]
}

// Forward implements Layer.
func (c *Conv2d) Forward(x *tensor.Tensor, _ Pass) *tensor.Tensor {
	c.check(x)
	c.x = x
	y := c.y.get(x.Device(), c.rounded.dtype(), x.Dim(0), []int{c.Out, c.oh, c.ow})
	if tensor.HasDirectConv(x.Device()) {
		tensor.ConvForward(y, x, c.w, c.b, c.Window, c.prec, c.relu)
		return y
	}
	size, cols := c.prepare(x)
	p := c.oh * c.ow
	ys := c.ys.of(y, size)
	for i, xi := range c.xs.of(x, size) {
		m := xi.Dim(0)
		ci := colsOf(cols, m)
		tensor.Im2col(ci, xi, c.Window)
		c.g = tensor.GemmArgs{M: c.Out, N: p, K: c.k, Alpha: 1,
			A: c.w, LDA: c.k,
			B: ci, LDB: p, StrideB: c.k * p,
			C: ys[i], LDC: p, StrideC: c.Out * p, Batch: m, Precision: c.prec}
		tensor.Gemm(&c.g)
	}
	tensor.BiasAdd(y, c.b)
	return y
}

// Backward implements Layer.
func (c *Conv2d) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	beta := c.gradBeta()
	tensor.BiasGrad(c.db, dy, beta)
	if tensor.HasDirectConv(dy.Device()) {
		tensor.ConvWeightGrad(c.dw, dy, c.x, c.Window, c.prec, beta)
		if !wantDX {
			return nil
		}
		dx := c.dx.get(dy.Device(), dy.Dim(0), c.in)
		var mask *tensor.Tensor
		if c.masked {
			mask = c.x
		}
		tensor.ConvDataGrad(dx, dy, c.w, c.Window, c.prec, mask)
		return dx
	}
	size, cols := c.prepare(c.x)
	p := c.oh * c.ow
	dys := c.dys.of(dy, size)
	var dxs []*tensor.Tensor
	var dx *tensor.Tensor
	if wantDX {
		dx = c.dx.get(dy.Device(), dy.Dim(0), c.in)
		dxs = c.dxs.of(dx, size)
	}
	for i, xi := range c.xs.of(c.x, size) {
		m := xi.Dim(0)
		ci := colsOf(cols, m)
		tensor.Im2col(ci, xi, c.Window)
		if i > 0 {
			beta = 1 // the later chunks add to what the first wrote
		}
		c.g = tensor.GemmArgs{TransB: true, M: c.Out, N: c.k, K: p, Alpha: 1, Beta: beta,
			A: dys[i], LDA: p, StrideA: c.Out * p,
			B: ci, LDB: p, StrideB: c.k * p,
			C: c.dw, LDC: c.k, Batch: m, Precision: c.prec}
		tensor.Gemm(&c.g)
		if !wantDX {
			continue
		}
		c.g = tensor.GemmArgs{TransA: true, M: c.k, N: p, K: c.Out, Alpha: 1,
			A: c.w, LDA: c.k,
			B: dys[i], LDB: p, StrideB: c.Out * p,
			C: ci, LDC: p, StrideC: c.k * p, Batch: m, Precision: c.prec}
		tensor.Gemm(&c.g)
		tensor.Col2im(dxs[i], ci, c.Window)
	}
	return dx
}
