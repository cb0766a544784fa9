package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// directConvIn returns the sub-test of a tensor.DirectConv device's three
// convolution products in precision p. Each is checked against the GEMM it
// stands for, over column matrices made here from unfold (Im2col's
// reference), with that GEMM's reference and tolerances: the forward pass
// is the weight times the images' columns plus the bias; the data gradient
// is the weight, permuted to [C, O*KH*KW], times dy spread over the pixels
// that each output position reads; the weight gradient is the batch sum
// of dy times the columns, transposed, added to dw. A device without a
// direct convolution, or without products of p, skips it.
func directConvIn(p tensor.Precision) func(c *checker) {
	return gemmIn(p, func(c *checker, p tensor.Precision) {
		if !tensor.HasDirectConv(c.dev) {
			c.t.Skipf("device %s has no direct convolution", c.dev.Name())
		}
		// Small maps over batches, whose images the CPU folds several to
		// a product: whole groups and a last, smaller one (8 and 3 of
		// 6x6), one group of the whole batch (2x2), and groups that
		// divide it (23 and 23 of 5x5).
		cases := append(c.convCases(),
			windowCase{[4]int{11, 3, 6, 6}, tensor.Square(3, 1, 1)},
			windowCase{[4]int{9, 2, 3, 3}, tensor.Square(3, 2, 1)},
			windowCase{[4]int{46, 4, 5, 5}, tensor.Square(3, 1, 1)})
		// Beyond one tile of the GPU's kernels in every dimension, with
		// a weight gradient long enough to be cut into slices: padded,
		// strided (the data gradient's divisions) and AlexNet's conv1.
		cases = append(cases,
			windowCase{[4]int{4, 16, 20, 20}, tensor.Square(3, 1, 1)},
			windowCase{[4]int{3, 8, 17, 15}, tensor.Square(3, 2, 1)},
			windowCase{[4]int{2, 3, 35, 35}, tensor.Square(11, 4, 1)})
		for i, wc := range cases {
			o := 1 + c.rng.IntN(5)
			if i >= len(cases)-3 {
				o = 130 + c.rng.IntN(20)
			}
			conv := convOperands(c, wc, o)
			name := fmt.Sprintf("%v_out%d", wc, o)
			c.run(name+"_forward", func(c *checker) { conv.forward(c, p, i%2 == 0, i%3 == 0) })
			c.run(name+"_data", func(c *checker) { conv.dataGrad(c, p, i%2 == 1) })
			beta := gradBetas[i%len(gradBetas)]
			c.run(fmt.Sprintf("%s_weight_beta%v", name, beta), func(c *checker) { conv.weightGrad(c, p, beta) })
		}
	})
}

// convProblem is one convolution's inputs on the host: images x [N, C, H,
// W], weight w [O, C*KH*KW], bias [O] and output gradient dy [N, O, OH,
// OW], with the sizes the checks use.
type convProblem struct {
	wc                windowCase
	n, ch, h, w, o    int
	k, p, kk          int // C*KH*KW, OH*OW, KH*KW
	oh, ow            int
	x, wt, bias, dy   []float32
	cols              []float32 // Im2col's [N, K, P]
	weightT, dySpread []float32 // [C, O*KK] and [N, O*KK, H*W]
}

// convOperands draws a problem's inputs and builds its column matrices.
func convOperands(c *checker, wc windowCase, o int) *convProblem {
	n, ch, h, w := wc.shape[0], wc.shape[1], wc.shape[2], wc.shape[3]
	oh, ow := wc.win.Out(h, w)
	kk := wc.win.KH * wc.win.KW
	cp := &convProblem{wc: wc, n: n, ch: ch, h: h, w: w, o: o, k: ch * kk, p: oh * ow, kk: kk, oh: oh, ow: ow}
	cp.x = c.uniform(elems(wc.shape[:]), -1, 1)
	cp.wt = c.uniform(o*cp.k, -1, 1)
	cp.bias = c.uniform(o, -1, 1)
	cp.dy = c.uniform(n*o*cp.p, -1, 1)
	cp.cols = make([]float32, n*cp.k*cp.p)
	cp.dySpread = make([]float32, n*o*kk*h*w)
	// unfold's column index is ((img*C + ch)*KK + r)*P + pos.
	unfold(wc.shape, wc.win, func(col, in int) {
		if in < 0 {
			return
		}
		cp.cols[col] = cp.x[in]
		pos, r, img := col%cp.p, col/cp.p%kk, col/(cp.k*cp.p)
		pixel := in % (h * w)
		for co := range o {
			cp.dySpread[(img*o*kk+co*kk+r)*h*w+pixel] = cp.dy[(img*o+co)*cp.p+pos]
		}
	})
	cp.weightT = make([]float32, len(cp.wt))
	for co := range o {
		for ci := range ch {
			copy(cp.weightT[ci*o*kk+co*kk:][:kk], cp.wt[co*cp.k+ci*kk:][:kk])
		}
	}
	return cp
}

// forward checks ConvForward, with the bias or without, through the fused
// ReLU or not.
func (cp *convProblem) forward(c *checker, p tensor.Precision, withBias, relu bool) {
	y := c.out("y", cp.n, cp.o, cp.oh, cp.ow)
	c0 := make([]float32, cp.n*cp.o*cp.p)
	var bias *tensor.Tensor
	var beta float32
	if withBias {
		bias, beta = c.in("bias", cp.bias, cp.o), 1
		for i := range c0 {
			c0[i] = cp.bias[i/cp.p%cp.o]
		}
	}
	tensor.ConvForward(y.t, c.in("x", cp.x, cp.wc.shape[:]...), c.in("w", cp.wt, cp.o, cp.k), bias, cp.wc.win, p, relu)
	g := tensor.GemmArgs{M: cp.o, N: cp.p, K: cp.k, Alpha: 1, Beta: beta, LDA: cp.k, LDB: cp.p, LDC: cp.p,
		StrideB: cp.k * cp.p, StrideC: cp.o * cp.p, Batch: cp.n, Precision: p}
	want := GemmReference(&g, cp.wt, cp.cols, c0, cp.n)
	if relu {
		// max(., 0) moves no value further from another, so the
		// product's bounds still hold.
		for i, v := range want {
			want[i] = max(v, 0)
		}
	}
	c.product("y", &g, cp.wt, cp.cols, c0, cp.n, c.floats(y), want)
}

// dataGrad checks ConvDataGrad, which must overwrite dx, through a ReLU's
// mask or not.
func (cp *convProblem) dataGrad(c *checker, p tensor.Precision, withMask bool) {
	dx := c.out("dx", cp.wc.shape[:]...)
	var mask []float32
	var maskT *tensor.Tensor
	if withMask {
		mask = reluMask(c, len(cp.x))
		maskT = c.in("mask", mask, cp.wc.shape[:]...)
	}
	tensor.ConvDataGrad(dx.t, c.in("dy", cp.dy, cp.n, cp.o, cp.oh, cp.ow), c.in("w", cp.wt, cp.o, cp.k), cp.wc.win, p, maskT)
	hw, ok := cp.h*cp.w, cp.o*cp.kk
	g := tensor.GemmArgs{M: cp.ch, N: hw, K: ok, Alpha: 1, LDA: ok, LDB: hw, LDC: hw,
		StrideB: ok * hw, StrideC: cp.ch * hw, Batch: cp.n, Precision: p}
	want := GemmReference(&g, cp.weightT, cp.dySpread, nil, cp.n)
	masked(want, mask)
	c.product("dx", &g, cp.weightT, cp.dySpread, nil, cp.n, c.floats(dx), want)
}

// weightGrad checks ConvWeightGrad, which must scale dw by beta and add
// into it.
func (cp *convProblem) weightGrad(c *checker, p tensor.Precision, beta float32) {
	dw0, _ := c.gradStart(cp.o*cp.k, beta)
	dw := c.inout("dw", dw0, cp.o, cp.k)
	tensor.ConvWeightGrad(dw.t, c.in("dy", cp.dy, cp.n, cp.o, cp.oh, cp.ow), c.in("x", cp.x, cp.wc.shape[:]...), cp.wc.win, p, beta)
	g := tensor.GemmArgs{TransB: true, M: cp.o, N: cp.k, K: cp.p, Alpha: 1, Beta: beta, LDA: cp.p, LDB: cp.p, LDC: cp.k,
		StrideA: cp.o * cp.p, StrideB: cp.k * cp.p, Batch: cp.n, Precision: p}
	c.product("dw", &g, cp.dy, cp.cols, dw0, 1, c.floats(dw), GemmReference(&g, cp.dy, cp.cols, dw0, 1))
}
