package tensor

import "fmt"

// DirectConv is a Device that computes a convolution's three products from
// the image tensors themselves (an implicit GEMM), without the column
// matrix of Im2col. The weight is the [O, C*KH*KW] matrix Im2col's
// columns multiply. nn's convolution uses these where the device has them
// and Im2col with Gemm elsewhere; the results agree to the rounding of the
// product's precision p (see Device.GemmPrecision). Like every Device, it
// is safe for concurrent use.
type DirectConv interface {
	Device
	// ConvDirect reports whether callers should use these products: a
	// device can be set to have its convolutions computed through Im2col
	// and Gemm instead, to compare the two.
	ConvDirect() bool
	// ConvForward writes y [N, O, OH, OW]: the convolution of x [N, C,
	// H, W] with w [O, C*KH*KW] over window win, plus bias[o] in channel
	// o unless bias is nil, and then max(y, 0) when relu is set (a
	// convolution followed by a ReLU, in one pass); rounded to bfloat16
	// when y is BFloat16 (see BF16Activations).
	ConvForward(y, x, w, bias *Tensor, win Window, p Precision, relu bool)
	// ConvDataGrad overwrites dx [N, C, H, W] with the gradient of the
	// forward pass's input from its output's, dy [N, O, OH, OW]: what
	// Gemm of w^T with dy and Col2im give. Unless mask is nil, a pixel
	// whose mask (dx's shape) is not positive gets 0 instead: the
	// gradient also goes back through the ReLU whose output mask is.
	ConvDataGrad(dx, dy, w *Tensor, win Window, p Precision, mask *Tensor)
	// ConvWeightGrad writes dw [O, C*KH*KW] = beta*dw + the gradient of
	// the weight: the sum over the images of dy_n times x_n's columns,
	// transposed. With beta 0, dw is never read.
	ConvWeightGrad(dw, dy, x *Tensor, win Window, p Precision, beta float32)
}

// HasDirectConv reports whether dev computes convolutions directly: it is
// a DirectConv, set to (ConvDirect).
func HasDirectConv(dev Device) bool {
	d, ok := dev.(DirectConv)
	return ok && d.ConvDirect()
}

// checkConv checks the operands of a direct convolution: images x [N, C,
// H, W], outputs y [N, O, OH, OW] and weight w [O, C*KH*KW], all on one
// DirectConv, w Float32, and returns that device; the caller checks x's
// and y's dtypes. xName and yName say what x and y are in op's signature.
func checkConv(op, xName, yName string, x, y, w *Tensor, win Window) DirectConv {
	dev := sameDevice(op, x, y, w)
	checkWindow(op, x, win)
	wantRank(op, yName, y, 4)
	wantDType(op, "weight", w, Float32)
	n, c := x.shape[0], x.shape[1]
	oh, ow := win.Out(x.shape[2], x.shape[3])
	o := y.shape[1]
	wantShape(op, yName, y, n, o, oh, ow)
	wantShape(op, "weight", w, o, c*win.KH*win.KW)
	d, ok := dev.(DirectConv)
	if !ok {
		panic(fmt.Sprintf("tensor: %s: device %s has no direct convolution (see HasDirectConv)", op, dev.Name()))
	}
	return d
}

// ConvForward writes y = conv(x, w) + bias, through a ReLU when relu is
// set, on a DirectConv device; bias [O] may be nil. x and y may be
// BFloat16 where the device takes them (HasBF16Activations).
func ConvForward(y, x, w, bias *Tensor, win Window, p Precision, relu bool) {
	d := checkConv("ConvForward", "x", "y", x, y, w, win)
	wantActivation("ConvForward", "x", x)
	wantActivation("ConvForward", "y", y)
	if bias != nil {
		sameDevice("ConvForward", y, bias)
		checkBias("ConvForward", y, bias)
	}
	d.ConvForward(y, x, w, bias, win, p, relu)
}

// ConvDataGrad overwrites dx with the gradient of the convolution's input
// on a DirectConv device, and then, unless mask is nil, with the gradient
// through the ReLU whose output mask (dx's shape; BFloat16 where the
// device takes it) is.
func ConvDataGrad(dx, dy, w *Tensor, win Window, p Precision, mask *Tensor) {
	d := checkConv("ConvDataGrad", "dx", "dy", dx, dy, w, win)
	wantDType("ConvDataGrad", "dx", dx, Float32)
	wantDType("ConvDataGrad", "dy", dy, Float32)
	if mask != nil {
		sameDevice("ConvDataGrad", dx, mask)
		wantActivation("ConvDataGrad", "mask", mask)
		wantShape("ConvDataGrad", "mask", mask, dx.shape...)
	}
	d.ConvDataGrad(dx, dy, w, win, p, mask)
}

// ConvWeightGrad writes dw = beta*dw + the gradient of the convolution's
// weight on a DirectConv device (beta 0 never reads dw); x may be BFloat16
// where the device takes it.
func ConvWeightGrad(dw, dy, x *Tensor, win Window, p Precision, beta float32) {
	d := checkConv("ConvWeightGrad", "x", "dy", x, dy, dw, win)
	wantActivation("ConvWeightGrad", "x", x)
	wantDType("ConvWeightGrad", "dy", dy, Float32)
	d.ConvWeightGrad(dw, dy, x, win, p, beta)
}
