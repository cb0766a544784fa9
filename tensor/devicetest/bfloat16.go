package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/tensor"
)

// testBF16Activations checks the operations a device computes on bfloat16
// activations (tensor.BF16Activations) against the same operations on
// float32, bit for bit: ConvForward into a BFloat16 y must write each
// element of its float32 y rounded; MaxPool of a BFloat16 x, and
// MaxPoolGrad through a BFloat16 mask, what they give for the float32
// values those stand for. A device without them skips it.
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
				x, w := c.in("x", conv.x, wc.shape[:]...), c.in("w", conv.wt, o, conv.k)
				var bias *tensor.Tensor
				if withBias {
					bias = c.in("bias", conv.bias, o)
				}
				yShape := []int{conv.n, o, conv.oh, conv.ow}
				y32, y16 := c.out("y32", yShape...), c.outBF16("y16", yShape...)
				tensor.ConvForward(y32.t, x, w, bias, wc.win, p, relu)
				tensor.ConvForward(y16.t, x, w, bias, wc.win, p, relu)
				sameElems(c, "y", c.bfloat16s(y16), roundAll(c.floats(y32)))
			})
		}
	}
	for _, wc := range c.poolCases() {
		c.run("MaxPool_"+wc.String(), func(c *checker) {
			// Steps give ties, halves of them rounding ties.
			x := roundAll(c.steps(elems(wc.shape[:]), -9, 9))
			for i := range x {
				x[i] += uint16(c.rng.IntN(2))
			}
			yShape := tensor.PoolOut(wc.shape[:], wc.win)
			y16, y32 := c.out("y16", yShape...), c.out("y32", yShape...)
			arg16 := c.alloc("argmax16", false, make([]int32, elems(yShape)), yShape...)
			arg32 := c.alloc("argmax32", false, make([]int32, elems(yShape)), yShape...)
			tensor.MaxPool(y16.t, arg16.t, c.alloc("x16", true, x, wc.shape[:]...).t, wc.win)
			tensor.MaxPool(y32.t, arg32.t, c.in("x32", widenAll(x), wc.shape[:]...), wc.win)
			sameElems(c, "argmax", c.ints(arg16), c.ints(arg32))
			c.sameFloats("y", c.floats(y16), c.floats(y32))

			mask := roundAll(reluMask(c, elems(wc.shape[:])))
			dy := c.in("dy", c.uniform(elems(yShape), -1, 1), yShape...)
			dx16, dx32 := c.out("dx16", wc.shape[:]...), c.out("dx32", wc.shape[:]...)
			tensor.MaxPoolGrad(dx16.t, dy, arg32.t, wc.win, c.alloc("mask16", true, mask, wc.shape[:]...).t)
			tensor.MaxPoolGrad(dx32.t, dy, arg32.t, wc.win, c.in("mask32", widenAll(mask), wc.shape[:]...))
			c.sameFloats("dx", c.floats(dx16), c.floats(dx32))
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
