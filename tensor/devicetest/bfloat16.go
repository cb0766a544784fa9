package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/tensor"
)

// testBF16Activations checks the operations a device computes on bfloat16
// activations (tensor.BF16Activations) against the same operations on
// float32, bit for bit: each must read a BFloat16 input (x, or a mask) as
// the float32 values it stands for, and write a BFloat16 y as its float32
// y rounded. A device without them skips it.
func testBF16Activations(c *checker) {
	if !tensor.HasBF16Activations(c.dev) {
		c.t.Skipf("device %s does not compute on bfloat16 activations", c.dev.Name())
	}
	if tensor.HasDirectConv(c.dev) {
		// The last case's outputs, 1.1 MB an image, take more than one
		// of the CPU's 16 MiB chunks.
		cases := append(c.convCases(), windowCase{[4]int{20, 3, 66, 66}, tensor.Square(3, 1, 1)})
		for i, wc := range cases {
			o := 1 + c.rng.IntN(5)
			if i == len(cases)-1 {
				o = 64
			}
			p := tensor.Precisions[(len(cases)-1-i)%2]
			withBias, relu := i%3 != 1, i%4 < 2
			c.run(fmt.Sprintf("ConvForward_%v_out%d_%v_bias:%v_relu:%v", wc, o, p, withBias, relu), func(c *checker) {
				if _, err := c.dev.GemmPrecision(p); err != nil {
					c.t.Skip(err)
				}
				conv := convOperands(c, wc, o)
				x16 := roundAll(conv.x)
				x := c.in("x", widenAll(x16), wc.shape[:]...)
				xb := c.alloc("x16", true, x16, wc.shape[:]...).t
				w := c.in("w", conv.wt, o, conv.k)
				var bias *tensor.Tensor
				if withBias {
					bias = c.in("bias", conv.bias, o)
				}
				yShape := []int{conv.n, o, conv.oh, conv.ow}
				y := c.out("y", yShape...)
				tensor.ConvForward(y.t, x, w, bias, wc.win, p, relu)
				want := c.floats(y)
				for _, in := range []*tensor.Tensor{x, xb} {
					y32, y16 := c.out("y32", yShape...), c.outBF16("y16", yShape...)
					tensor.ConvForward(y32.t, in, w, bias, wc.win, p, relu)
					tensor.ConvForward(y16.t, in, w, bias, wc.win, p, relu)
					c.sameFloats(fmt.Sprintf("y from %v x", in.DType()), c.floats(y32), want)
					sameElems(c, fmt.Sprintf("bfloat16 y from %v x", in.DType()), c.bfloat16s(y16), roundAll(want))
				}

				dy := c.in("dy", conv.dy, yShape...)
				dw0 := c.uniform(o*conv.k, -1, 1)
				dw, dw16 := c.inout("dw", dw0, o, conv.k), c.inout("dw16", dw0, o, conv.k)
				tensor.ConvWeightGrad(dw.t, dy, x, wc.win, p, 1)
				tensor.ConvWeightGrad(dw16.t, dy, xb, wc.win, p, 1)
				c.sameFloats("dw from bfloat16 x", c.floats(dw16), c.floats(dw))

				mask := roundAll(reluMask(c, len(conv.x)))
				dx, dx16 := c.out("dx", wc.shape[:]...), c.out("dx16", wc.shape[:]...)
				tensor.ConvDataGrad(dx.t, dy, w, wc.win, p, c.in("mask", widenAll(mask), wc.shape[:]...))
				tensor.ConvDataGrad(dx16.t, dy, w, wc.win, p, c.alloc("mask16", true, mask, wc.shape[:]...).t)
				c.sameFloats("dx through a bfloat16 mask", c.floats(dx16), c.floats(dx))
			})
		}
	}
	for _, wc := range c.poolCases() {
		c.run("MaxPool_"+wc.String(), func(c *checker) {
			yShape := tensor.PoolOut(wc.shape[:], wc.win)
			pool := func(x *tensor.Tensor, yType tensor.DType) (y any, arg []int32) {
				yb := c.outBF16("y16", yShape...)
				if yType == tensor.Float32 {
					yb = c.out("y", yShape...)
				}
				argmax := c.alloc("argmax", false, make([]int32, elems(yShape)), yShape...)
				tensor.MaxPool(yb.t, argmax.t, x, wc.win)
				return c.read(yb), c.ints(argmax)
			}
			// Float32 values that bfloat16 does not hold, for a
			// BFloat16 y; then bfloat16 values, steps apart or one
			// unit (ties once rounded), for a BFloat16 x.
			x := c.in("x", c.uniform(elems(wc.shape[:]), -1, 1), wc.shape[:]...)
			y, arg := pool(x, tensor.Float32)
			y16, arg16 := pool(x, tensor.BFloat16)
			sameElems(c, "argmax, bfloat16 y", arg16, arg)
			sameElems(c, "bfloat16 y", y16.([]uint16), roundAll(y.([]float32)))

			x16 := roundAll(c.steps(elems(wc.shape[:]), -9, 9))
			for i := range x16 {
				x16[i] += uint16(c.rng.IntN(2))
			}
			xb := c.alloc("x16", true, x16, wc.shape[:]...).t
			y, arg = pool(c.in("x", widenAll(x16), wc.shape[:]...), tensor.Float32)
			yb, argb := pool(xb, tensor.Float32)
			sameElems(c, "argmax of bfloat16 x", argb, arg)
			c.sameFloats("y of bfloat16 x", yb.([]float32), y.([]float32))

			mask := roundAll(reluMask(c, elems(wc.shape[:])))
			dy := c.in("dy", c.uniform(elems(yShape), -1, 1), yShape...)
			argmax := c.alloc("argmax", true, arg, yShape...).t
			dx32, dx16 := c.out("dx", wc.shape[:]...), c.out("dx16", wc.shape[:]...)
			tensor.MaxPoolGrad(dx32.t, dy, argmax, wc.win, c.in("mask", widenAll(mask), wc.shape[:]...))
			tensor.MaxPoolGrad(dx16.t, dy, argmax, wc.win, c.alloc("mask16", true, mask, wc.shape[:]...).t)
			c.sameFloats("dx through a bfloat16 mask", c.floats(dx16), c.floats(dx32))
		})
	}
}

// outBF16 returns a BFloat16 buffer filled with NaN, as out does.
func (c *checker) outBF16(name string, shape ...int) *buffer {
	data := make([]uint16, elems(shape))
	for i := range data {
		data[i] = 0x7fc0
	}
	return c.alloc(name, false, data, shape...)
}

// roundAll rounds every value to bfloat16.
func roundAll(s []float32) []uint16 {
	h := make([]uint16, len(s))
	bf16.RoundSlice(h, s)
	return h
}

// widenAll widens every bfloat16 value to float32.
func widenAll(h []uint16) []float32 {
	s := make([]float32, len(h))
	bf16.WidenSlice(s, h)
	return s
}
