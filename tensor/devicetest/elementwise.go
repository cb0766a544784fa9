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

func testMul(c *checker) {
	for _, shape := range elementShapes {
		n := elems(shape)
		for _, alias := range []bool{false, true} {
			c.run(fmt.Sprintf("%v_z=x:%v", shape, alias), func(c *checker) {
				x, y := c.uniform(n, -2, 2), c.uniform(n, -2, 2)
				xb, z := c.inPlace(alias, "x", "z", x, shape...)
				tensor.Mul(z.t, xb.t, c.in("y", y, shape...))
				want := make([]float64, n)
				for i := range want {
					want[i] = float64(x[i]) * float64(y[i])
				}
				c.near("z", c.floats(z), want, c.tol.Other)
			})
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
				wantStep, wantV := make([]float64, n), make([]float64, n)
				for i := range wantStep {
					d := float64(g[i]) + float64(o.WeightDecay)*float64(p0[i])
					if o.Momentum != 0 {
						d += float64(o.Momentum) * float64(v0[i])
						wantV[i] = d
					}
					wantStep[i] = -float64(o.LR) * d
				}
				// The step is read back as new - old params, whose float32
				// rounding alone can be a large part of a small step: a step
				// within two ulps of the new value counts as exact, so only
				// errors in the update itself are measured.
				step := make([]float32, n)
				for i, pi := range c.floats(p) {
					step[i] = pi - p0[i]
					a := float32(math.Abs(float64(pi)))
					if ulp := math.Nextafter32(a, math.MaxFloat32) - a; math.Abs(float64(step[i])-wantStep[i]) <= 2*float64(ulp) {
						step[i] = float32(wantStep[i])
					}
				}
				c.near("params - old params", step, wantStep, c.tol.Other)
				if v != nil {
					c.near("velocity", c.floats(v), wantV, c.tol.Other)
				}
			})
		}
	}
}
