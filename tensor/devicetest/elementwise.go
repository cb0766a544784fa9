package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

func testAxpy(c *checker) {
	for _, shape := range elementShapes {
		c.run(fmt.Sprint(shape), func(c *checker) {
			n := elems(shape)
			x, y0 := c.uniform(n, -1, 1), c.uniform(n, -1, 1)
			alpha := float32(c.rng.NormFloat64())
			y := c.inout("y", y0, shape...)
			tensor.Axpy(alpha, c.in("x", x, shape...), y.t)
			want := make([]float64, n)
			for i := range want {
				want[i] = float64(y0[i]) + float64(alpha)*float64(x[i])
			}
			c.near("y", c.floats(y), want, c.tol.Other)
		})
	}
}

func testScale(c *checker) {
	for _, shape := range elementShapes {
		c.run(fmt.Sprint(shape), func(c *checker) {
			x0 := c.uniform(elems(shape), -1, 1)
			alpha := float32(c.rng.NormFloat64())
			x := c.inout("x", x0, shape...)
			tensor.Scale(x.t, alpha)
			want := wide64(x0)
			for i := range want {
				want[i] *= float64(alpha)
			}
			c.near("x", c.floats(x), want, c.tol.Other)
		})
	}
}

// testBinary checks an elementwise operation of two tensors against its
// float64 reference, with z apart from its operands and aliasing x, y or
// both (x and y then one tensor).
func testBinary(op func(z, x, y *tensor.Tensor), ref func(x, y float64) float64) func(c *checker) {
	return func(c *checker) {
		for _, shape := range elementShapes {
			n := elems(shape)
			for _, alias := range []string{"none", "z=x", "z=y", "z=x=y"} {
				c.run(fmt.Sprintf("%v_alias:%s", shape, alias), func(c *checker) {
					x, y := c.uniform(n, -2, 2), c.uniform(n, -2, 2)
					var xt, yt *tensor.Tensor
					var z *buffer
					switch alias {
					case "none":
						xt, yt, z = c.in("x", x, shape...), c.in("y", y, shape...), c.out("z", shape...)
					case "z=x":
						z = c.inout("x", x, shape...)
						xt, yt = z.t, c.in("y", y, shape...)
					case "z=y":
						z = c.inout("y", y, shape...)
						xt, yt = c.in("x", x, shape...), z.t
					case "z=x=y":
						y = x
						z = c.inout("x", x, shape...)
						xt, yt = z.t, z.t
					}
					op(z.t, xt, yt)
					want := make([]float64, n)
					for i := range want {
						want[i] = ref(float64(x[i]), float64(y[i]))
					}
					c.near("z", c.floats(z), want, c.tol.Other)
				})
			}
		}
	}
}

// unaryInputs returns n values in [-10, 10) with, when there is room,
// 0 and +-100 planted at random places: e^100 overflows float32 to +Inf,
// e^-100 is a denormal, and the sigmoid and tanh saturate to their
// limits exactly.
func (c *checker) unaryInputs(n int) []float32 {
	x := c.uniform(n, -10, 10)
	if n >= 8 {
		for _, v := range []float32{0, 100, -100} {
			x[c.rng.IntN(n)] = v
		}
	}
	return x
}

// wantFloat32 returns the float64 reference v, or the infinity it rounds
// to in float32 where it overflows, which a device must then return.
func wantFloat32(v float64) float64 {
	if math.IsInf(float64(float32(v)), 0) {
		return float64(float32(v))
	}
	return v
}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// testUnary checks an elementwise function against its float64
// reference, in place and not.
func testUnary(op func(y, x *tensor.Tensor), ref func(float64) float64) func(c *checker) {
	return func(c *checker) {
		for _, shape := range elementShapes {
			for _, alias := range []bool{false, true} {
				c.run(fmt.Sprintf("%v_y=x:%v", shape, alias), func(c *checker) {
					x := c.unaryInputs(elems(shape))
					xb, y := c.inPlace(alias, "x", "y", x, shape...)
					op(y.t, xb.t)
					want := make([]float64, len(x))
					for i, v := range x {
						want[i] = wantFloat32(ref(float64(v)))
					}
					c.near("y", c.floats(y), want, c.tol.Other)
				})
			}
		}
	}
}

// testUnaryGrad checks a function's gradient, given as its derivative in
// terms of the output y, on outputs that the float32 forward function
// would give (saturated ones among them), in place and not.
func testUnaryGrad(op func(dx, dy, y *tensor.Tensor), fwd, deriv func(float64) float64) func(c *checker) {
	return func(c *checker) {
		for _, shape := range elementShapes {
			for _, alias := range []bool{false, true} {
				c.run(fmt.Sprintf("%v_dx=dy:%v", shape, alias), func(c *checker) {
					n := elems(shape)
					y, dy := c.unaryInputs(n), c.uniform(n, -1, 1)
					for i, v := range y {
						y[i] = float32(fwd(float64(v)))
					}
					dyb, dx := c.inPlace(alias, "dy", "dx", dy, shape...)
					op(dx.t, dyb.t, c.in("y", y, shape...))
					want := make([]float64, n)
					for i := range want {
						want[i] = float64(dy[i]) * deriv(float64(y[i]))
					}
					c.near("dx", c.floats(dx), want, c.tol.Other)
				})
			}
		}
	}
}

// signed returns n values in [-1, 1) of which about a fifth are exactly 0,
// where ReLU and its gradient decide.
func (c *checker) signed(n int) []float32 {
	s := c.uniform(n, -1, 1)
	for i := range s {
		if c.rng.IntN(5) == 0 {
			s[i] = 0
		}
	}
	return s
}

func testReLU(c *checker) {
	for _, shape := range elementShapes {
		for _, alias := range []bool{false, true} {
			c.run(fmt.Sprintf("%v_y=x:%v", shape, alias), func(c *checker) {
				x := c.signed(elems(shape))
				xb, y := c.inPlace(alias, "x", "y", x, shape...)
				tensor.ReLU(y.t, xb.t)
				want := wide64(x)
				for i := range want {
					want[i] = max(want[i], 0)
				}
				c.near("y", c.floats(y), want, c.tol.Other)
			})
		}
	}
}

func testReLUGrad(c *checker) {
	for _, shape := range elementShapes {
		for _, alias := range []bool{false, true} {
			c.run(fmt.Sprintf("%v_dx=dy:%v", shape, alias), func(c *checker) {
				n := elems(shape)
				y, dy := c.signed(n), c.uniform(n, -1, 1)
				for i := range y {
					y[i] = max(y[i], 0)
				}
				dyb, dx := c.inPlace(alias, "dy", "dx", dy, shape...)
				tensor.ReLUGrad(dx.t, dyb.t, c.in("y", y, shape...))
				want := make([]float64, n)
				for i := range want {
					if y[i] > 0 {
						want[i] = float64(dy[i])
					}
				}
				c.near("dx", c.floats(dx), want, c.tol.Other)
			})
		}
	}
}

// testDropout requires the mask DropoutKeep defines, bit for bit, with i
// counted from the tensor's first element, not the allocation's.
func testDropout(c *checker) {
	for _, shape := range elementShapes {
		for _, p := range []float32{0, 0.1, 0.5, 0.75} {
			for _, alias := range []bool{false, true} {
				c.run(fmt.Sprintf("%v_p%v_y=x:%v", shape, p, alias), func(c *checker) {
					n := elems(shape)
					x, seed := c.uniform(n, -1, 1), c.rng.Uint64()
					xb, y := c.inPlace(alias, "x", "y", x, shape...)
					mask := c.out("mask", shape...)
					tensor.Dropout(y.t, mask.t, xb.t, p, seed)
					wantMask, wantY := make([]float32, n), make([]float32, n)
					for i := range wantMask {
						if tensor.DropoutKeep(seed, uint64(i), p) {
							wantMask[i] = 1 / (1 - p)
						}
						wantY[i] = x[i] * wantMask[i]
					}
					c.sameFloats("mask", c.floats(mask), wantMask)
					c.sameFloats("y", c.floats(y), wantY)
				})
			}
		}
	}
}

// testSGD compares the change each parameter makes, not the parameters
// themselves: a step is small beside the weights, and an error in it would
// hide in their norm.
func testSGD(c *checker) {
	for _, o := range []tensor.SGDOptions{
		{LR: 0.1},
		{LR: 0.5, WeightDecay: 0.05},
		{LR: 0.1, Momentum: 0.9},
		{LR: 0.3, Momentum: 0.5, WeightDecay: 0.02},
	} {
		for _, shape := range elementShapes {
			c.run(fmt.Sprintf("%v_lr%v_mu%v_wd%v", shape, o.LR, o.Momentum, o.WeightDecay), func(c *checker) {
				n := elems(shape)
				p0, g, v0 := c.uniform(n, -1, 1), c.uniform(n, -1, 1), c.uniform(n, -1, 1)
				p := c.inout("params", p0, shape...)
				var v *buffer
				var vt *tensor.Tensor
				if o.Momentum != 0 {
					v = c.inout("velocity", v0, shape...)
					vt = v.t
				}
				tensor.SGD(p.t, c.in("grads", g, shape...), vt, o)
				wantStep, wantV, slack := make([]float64, n), make([]float64, n), make([]float64, n)
				for i := range wantStep {
					d := float64(g[i]) + float64(o.WeightDecay)*float64(p0[i])
					size := math.Abs(float64(g[i])) + math.Abs(float64(o.WeightDecay)*float64(p0[i]))
					if o.Momentum != 0 {
						d += float64(o.Momentum) * float64(v0[i])
						size += math.Abs(float64(o.Momentum) * float64(v0[i]))
						wantV[i] = d
					}
					wantStep[i] = -float64(o.LR) * d
					// float32 sums of these terms may be off by a few ulps
					// of their size, all of a result that nearly cancels.
					slack[i] = 0x1p-21 * size
				}
				// The step is read back as new - old params, whose float32
				// rounding alone can be a large part of a small step: a step
				// within two ulps of the new value (and the velocity's
				// rounding slack) counts as exact, as does a velocity within
				// its slack, so only errors in the update itself are
				// measured, not cancellation.
				step := make([]float32, n)
				for i, pi := range c.floats(p) {
					step[i] = pi - p0[i]
					a := float32(math.Abs(float64(pi)))
					ulp := math.Nextafter32(a, math.MaxFloat32) - a
					if math.Abs(float64(step[i])-wantStep[i]) <= 2*float64(ulp)+float64(o.LR)*slack[i] {
						step[i] = float32(wantStep[i])
					}
				}
				c.near("params - old params", step, wantStep, c.tol.Other)
				if v != nil {
					got := c.floats(v)
					for i, vi := range got {
						if math.Abs(float64(vi)-wantV[i]) <= slack[i] {
							got[i] = float32(wantV[i])
						}
					}
					c.near("velocity", got, wantV, c.tol.Other)
				}
			})
		}
	}
}
