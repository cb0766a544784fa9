package tensor

import (
	"fmt"
	"slices"
)

// The functions below check shapes, dtypes and devices, panicking with both
// shapes named when they do not fit (a programmer error), then hand the work
// to the tensors' device. Device errors are sticky: see Device.

func sameDevice(op string, ts ...*Tensor) Device {
	var dev Device
	for _, t := range ts {
		if t == nil {
			continue
		}
		if dev == nil {
			dev = t.Device()
		} else if t.Device() != dev {
			if dev.Name() == t.Device().Name() {
				panic(fmt.Sprintf("tensor: %s: tensors on two different %s devices", op, dev.Name()))
			}
			panic(fmt.Sprintf("tensor: %s: tensors on devices %s and %s", op, dev.Name(), t.Device().Name()))
		}
	}
	return dev
}

// named is an operand with the name an error gives it.
type named struct {
	name string
	t    *Tensor
}

// sameFloat32 checks that the operands of an elementwise op are Float32
// tensors of one shape on one device, and returns the device.
func sameFloat32(op string, ts ...named) Device {
	var dev Device
	for i, o := range ts {
		if i == 0 {
			dev = sameDevice(op, o.t)
		} else {
			sameDevice(op, ts[0].t, o.t)
			sameShape(op, ts[0].t, o.t)
		}
		wantDType(op, o.name, o.t, Float32)
	}
	return dev
}

func wantDType(op, name string, t *Tensor, dt DType) {
	if t.DType() != dt {
		panic(fmt.Sprintf("tensor: %s: %s is %v %v, want %v", op, name, t.DType(), t.shape, dt))
	}
}

func sameShape(op string, a, b *Tensor) {
	if !slices.Equal(a.shape, b.shape) {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v differ", op, a.shape, b.shape))
	}
}

func wantRank(op, name string, t *Tensor, rank int) {
	if len(t.shape) != rank {
		panic(fmt.Sprintf("tensor: %s: %s has shape %v, want rank %d", op, name, t.shape, rank))
	}
}

func wantShape(op, name string, t *Tensor, shape ...int) {
	if !slices.Equal(t.shape, shape) {
		// The copy keeps shape from escaping, so a caller's variadic
		// shape stays on its stack and a checked call allocates nothing.
		panic(fmt.Sprintf("tensor: %s: %s has shape %v, want %v", op, name, t.shape, slices.Clone(shape)))
	}
}

// Fill sets every element of the Float32 tensor x to v.
func Fill(x *Tensor, v float32) {
	wantDType("Fill", "x", x, Float32)
	x.Device().Fill(x, v)
}

// Copy copies src into dst: same dtype and element count (shapes may differ).
func Copy(dst, src *Tensor) {
	dev := sameDevice("Copy", dst, src)
	if dst.DType() != src.DType() || dst.Len() != src.Len() {
		panic(fmt.Sprintf("tensor: Copy: dst %v %v, src %v %v", dst.DType(), dst.shape, src.DType(), src.shape))
	}
	dev.Copy(dst, src)
}

// Axpy computes y += alpha*x for Float32 tensors of one shape.
func Axpy(alpha float32, x, y *Tensor) {
	sameFloat32("Axpy", named{"x", x}, named{"y", y}).Axpy(alpha, x, y)
}

// Scale computes x *= alpha.
func Scale(x *Tensor, alpha float32) {
	wantDType("Scale", "x", x, Float32)
	x.Device().Scale(x, alpha)
}

// Gemm checks that every matrix of the batch fits its tensor, then computes
// the product g describes (see GemmArgs).
func Gemm(g *GemmArgs) {
	dev := sameDevice("Gemm", g.A, g.B, g.C)
	if g.M < 0 || g.N < 0 || g.K < 0 || g.Batch < 0 {
		panic(fmt.Sprintf("tensor: Gemm: negative size M=%d N=%d K=%d batch=%d", g.M, g.N, g.K, g.Batch))
	}
	batch := max(g.Batch, 1)
	ar, ac := g.M, g.K
	if g.TransA {
		ar, ac = g.K, g.M
	}
	br, bc := g.K, g.N
	if g.TransB {
		br, bc = g.N, g.K
	}
	cb := batch
	if g.StrideC == 0 {
		cb = 1
	}
	gemmOperand("A", g.A, ar, ac, g.LDA, g.StrideA, batch)
	gemmOperand("B", g.B, br, bc, g.LDB, g.StrideB, batch)
	gemmOperand("C", g.C, g.M, g.N, g.LDC, g.StrideC, cb)
	if g.M == 0 || g.N == 0 {
		return
	}
	dev.Gemm(g)
}

func gemmOperand(name string, t *Tensor, rows, cols, ld, stride, batch int) {
	wantDType("Gemm", name, t, Float32)
	if ld < max(cols, 1) || stride < 0 {
		panic(fmt.Sprintf("tensor: Gemm: %s is %dx%d with leading dimension %d and batch stride %d (tensor %v)", name, rows, cols, ld, stride, t.shape))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (batch-1)*stride + (rows-1)*ld + cols; need > t.Len() {
		panic(fmt.Sprintf("tensor: Gemm: %s needs %d elements (%d x %dx%d, ld %d, stride %d) but tensor %v has %d", name, need, batch, rows, cols, ld, stride, t.shape, t.Len()))
	}
}

// MatMul computes c = alpha*op(a)*op(b) + beta*c for 2-D tensors, taking
// sizes and leading dimensions from their shapes.
func MatMul(c *Tensor, alpha float32, a *Tensor, transA bool, b *Tensor, transB bool, beta float32) {
	wantRank("MatMul", "a", a, 2)
	wantRank("MatMul", "b", b, 2)
	wantRank("MatMul", "c", c, 2)
	m, k := a.shape[0], a.shape[1]
	if transA {
		m, k = k, m
	}
	kb, n := b.shape[0], b.shape[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb || c.shape[0] != m || c.shape[1] != n {
		panic(fmt.Sprintf("tensor: MatMul: op(a) %dx%d times op(b) %dx%d into c %v", m, k, kb, n, c.shape))
	}
	Gemm(&GemmArgs{TransA: transA, TransB: transB, M: m, N: n, K: k, Alpha: alpha, Beta: beta,
		A: a, B: b, C: c, LDA: a.shape[1], LDB: b.shape[1], LDC: n})
}

// ConvOut returns the shape [N, C*KH*KW, OH*OW] of Im2col's output for
// images of shape x ([N, C, H, W]).
func ConvOut(x []int, w Window) []int {
	oh, ow := w.Out(x[2], x[3])
	return []int{x[0], x[1] * w.KH * w.KW, oh * ow}
}

func checkWindow(op string, x *Tensor, w Window) {
	wantRank(op, "input", x, 4)
	if w.KH < 1 || w.KW < 1 || w.SH < 1 || w.SW < 1 || w.PH < 0 || w.PW < 0 {
		panic(fmt.Sprintf("tensor: %s: bad window %v", op, w))
	}
	if oh, ow := w.Out(x.shape[2], x.shape[3]); oh < 1 || ow < 1 {
		panic(fmt.Sprintf("tensor: %s: window %v does not fit input %v", op, w, x.shape))
	}
}

// Im2col unfolds images x [N, C, H, W] into cols [N, C*KH*KW, OH*OW].
func Im2col(cols, x *Tensor, w Window) {
	dev := sameDevice("Im2col", cols, x)
	checkWindow("Im2col", x, w)
	wantDType("Im2col", "x", x, Float32)
	wantDType("Im2col", "cols", cols, Float32)
	wantShape("Im2col", "cols", cols, ConvOut(x.shape, w)...)
	dev.Im2col(cols, x, w)
}

// Col2im overwrites dx [N, C, H, W] with the adjoint of Im2col applied to
// cols [N, C*KH*KW, OH*OW].
func Col2im(dx, cols *Tensor, w Window) {
	dev := sameDevice("Col2im", dx, cols)
	checkWindow("Col2im", dx, w)
	wantDType("Col2im", "dx", dx, Float32)
	wantDType("Col2im", "cols", cols, Float32)
	wantShape("Col2im", "cols", cols, ConvOut(dx.shape, w)...)
	dev.Col2im(dx, cols, w)
}

// BiasAdd computes y[n, c, ...] += b[c] for y of rank 2 or more.
func BiasAdd(y, b *Tensor) {
	dev := sameDevice("BiasAdd", y, b)
	wantDType("BiasAdd", "y", y, Float32)
	checkBias("BiasAdd", y, b)
	dev.BiasAdd(y, b)
}

// BiasGrad computes db[c] += the sum of dy[n, c, ...] over n and the rest.
func BiasGrad(db, dy *Tensor, beta float32) {
	dev := sameDevice("BiasGrad", db, dy)
	wantDType("BiasGrad", "dy", dy, Float32)
	checkBias("BiasGrad", dy, db)
	dev.BiasGrad(db, dy, beta)
}

// checkBias checks a bias b for activations y, whose dtype the caller
// checks.
func checkBias(op string, y, b *Tensor) {
	wantDType(op, "bias", b, Float32)
	if len(y.shape) < 2 || len(b.shape) != 1 || b.shape[0] != y.shape[1] {
		panic(fmt.Sprintf("tensor: %s: bias %v does not match channels of %v", op, b.shape, y.shape))
	}
}

// ReLU computes y = max(x, 0).
func ReLU(y, x *Tensor) {
	sameFloat32("ReLU", named{"y", y}, named{"x", x}).ReLU(y, x)
}

// ReLUGrad computes dx = dy where y > 0, else 0.
func ReLUGrad(dx, dy, y *Tensor) {
	sameFloat32("ReLUGrad", named{"dx", dx}, named{"dy", dy}, named{"y", y}).ReLUGrad(dx, dy, y)
}

// PoolOut returns the shape of MaxPool's output for input shape x.
func PoolOut(x []int, w Window) []int {
	oh, ow := w.Out(x[2], x[3])
	return []int{x[0], x[1], oh, ow}
}

// MaxPool computes y = maxpool(x) and the argmax (Int32, y's shape); x
// and y may be BFloat16 where the device takes them (HasBF16Activations).
func MaxPool(y, argmax, x *Tensor, w Window) {
	dev := sameDevice("MaxPool", y, argmax, x)
	checkWindow("MaxPool", x, w)
	checkPoolPadding("MaxPool", w)
	wantActivation("MaxPool", "x", x)
	wantActivation("MaxPool", "y", y)
	wantDType("MaxPool", "argmax", argmax, Int32)
	wantShape("MaxPool", "y", y, PoolOut(x.shape, w)...)
	sameShape("MaxPool", y, argmax)
	dev.MaxPool(y, argmax, x, w)
}

// MaxPoolGrad overwrites dx with the gradient routed back through argmax,
// which MaxPool wrote for window w, and then, unless mask is nil, back
// through the ReLU whose output mask (dx's shape; BFloat16 where the device
// takes it) is.
func MaxPoolGrad(dx, dy, argmax *Tensor, w Window, mask *Tensor) {
	dev := sameDevice("MaxPoolGrad", dx, dy, argmax, mask)
	checkWindow("MaxPoolGrad", dx, w)
	wantDType("MaxPoolGrad", "dx", dx, Float32)
	wantDType("MaxPoolGrad", "dy", dy, Float32)
	wantDType("MaxPoolGrad", "argmax", argmax, Int32)
	wantShape("MaxPoolGrad", "dy", dy, PoolOut(dx.shape, w)...)
	sameShape("MaxPoolGrad", dy, argmax)
	if mask != nil {
		wantActivation("MaxPoolGrad", "mask", mask)
		wantShape("MaxPoolGrad", "mask", mask, dx.shape...)
	}
	dev.MaxPoolGrad(dx, dy, argmax, w, mask)
}

// AvgPool computes y [N, C, OH, OW] as the mean of each window of x
// [N, C, H, W], the padding counted as zeros (PyTorch's AvgPool2d with
// count_include_pad=True).
func AvgPool(y, x *Tensor, w Window) {
	checkAvgPool("AvgPool", "x", "y", x, y, w).AvgPool(y, x, w)
}

// AvgPoolGrad overwrites dx [N, C, H, W] with the gradient of AvgPool
// over window w: each pixel gets dy/(KH*KW) of every window it is in.
func AvgPoolGrad(dx, dy *Tensor, w Window) {
	checkAvgPool("AvgPoolGrad", "dx", "dy", dx, dy, w).AvgPoolGrad(dx, dy, w)
}

// checkAvgPool checks the images in [N, C, H, W] and their pooling out
// [N, C, OH, OW] over window w (both Float32), naming them as op does, and
// returns their device.
func checkAvgPool(op, inName, outName string, in, out *Tensor, w Window) Device {
	dev := sameDevice(op, in, out)
	checkWindow(op, in, w)
	checkPoolPadding(op, w)
	wantDType(op, inName, in, Float32)
	wantDType(op, outName, out, Float32)
	wantShape(op, outName, out, PoolOut(in.shape, w)...)
	return dev
}

// checkPoolPadding refuses padding wider than half the kernel, as PyTorch
// does: a window could then hold nothing but padding.
func checkPoolPadding(op string, w Window) {
	if w.PH*2 > w.KH || w.PW*2 > w.KW {
		panic(fmt.Sprintf("tensor: %s: padding must be at most half the kernel (%v)", op, w))
	}
}

// Dropout writes the scaled keep mask for drop probability p in [0, 1) and
// y = x*mask.
func Dropout(y, mask, x *Tensor, p float32, seed uint64) {
	dev := sameFloat32("Dropout", named{"y", y}, named{"mask", mask}, named{"x", x})
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("tensor: Dropout: probability %v outside [0, 1)", p))
	}
	dev.Dropout(y, mask, x, p, seed)
}

// SoftmaxCrossEntropy computes the mean loss, the correct count and,
// unless dlogits is nil, the gradient (see Device.SoftmaxCrossEntropy).
func SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels *Tensor) {
	dev := sameDevice("SoftmaxCrossEntropy", loss, correct, dlogits, logits, labels)
	wantRank("SoftmaxCrossEntropy", "logits", logits, 2)
	wantDType("SoftmaxCrossEntropy", "logits", logits, Float32)
	wantShape("SoftmaxCrossEntropy", "labels", labels, logits.shape[0])
	wantDType("SoftmaxCrossEntropy", "labels", labels, Int32)
	wantShape("SoftmaxCrossEntropy", "loss", loss, 1)
	wantDType("SoftmaxCrossEntropy", "loss", loss, Float32)
	wantShape("SoftmaxCrossEntropy", "correct", correct, 1)
	wantDType("SoftmaxCrossEntropy", "correct", correct, Int32)
	if dlogits != nil {
		sameShape("SoftmaxCrossEntropy", dlogits, logits)
		wantDType("SoftmaxCrossEntropy", "dlogits", dlogits, Float32)
	}
	dev.SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels)
}

// SGD updates params from grads (and velocity, needed when Momentum != 0).
func SGD(params, grads, velocity *Tensor, o SGDOptions) {
	dev := sameDevice("SGD", params, grads, velocity)
	sameShape("SGD", params, grads)
	wantDType("SGD", "params", params, Float32)
	wantDType("SGD", "grads", grads, Float32)
	if o.Momentum != 0 {
		if velocity == nil {
			panic("tensor: SGD: momentum needs a velocity tensor")
		}
		sameShape("SGD", params, velocity)
		wantDType("SGD", "velocity", velocity, Float32)
	}
	dev.SGD(params, grads, velocity, o)
}

// Resize writes the bilinear resize of src (Float32 or Uint8, [N, C, H, W])
// into dst (Float32, [N, C, OH, OW]).
func Resize(dst, src *Tensor) {
	dev := sameDevice("Resize", dst, src)
	wantRank("Resize", "src", src, 4)
	wantRank("Resize", "dst", dst, 4)
	wantDType("Resize", "dst", dst, Float32)
	if src.DType() == Int32 {
		panic(fmt.Sprintf("tensor: Resize: src is int32 %v, want float32 or uint8", src.shape))
	}
	if dst.shape[0] != src.shape[0] || dst.shape[1] != src.shape[1] {
		panic(fmt.Sprintf("tensor: Resize: dst %v and src %v differ in batch or channels", dst.shape, src.shape))
	}
	if src.shape[2]*src.shape[3] == 0 && dst.shape[2]*dst.shape[3] != 0 {
		panic(fmt.Sprintf("tensor: Resize: empty planes %v to %v", src.shape, dst.shape))
	}
	dev.Resize(dst, src)
}
