package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

// poolCases are pooling windows: AlexNet's overlapping 3x3 stride 2 (on
// rows of a few windows and of more than 32), padding up to half the kernel (where a corner window holds one real
// pixel), uneven kernels and strides, strides past the kernel (pixels no
// window reads), a window over the whole map (a global pool), then random
// ones.
func (c *checker) poolCases() []windowCase {
	cases := []windowCase{
		{[4]int{1, 1, 1, 1}, tensor.Square(1, 1, 0)},
		{[4]int{2, 3, 13, 13}, tensor.Square(3, 2, 0)},
		{[4]int{1, 2, 7, 75}, tensor.Square(3, 2, 0)},
		{[4]int{1, 2, 6, 7}, tensor.Square(2, 2, 0)},
		{[4]int{2, 1, 5, 5}, tensor.Square(3, 1, 1)},
		{[4]int{1, 1, 4, 6}, tensor.Window{KH: 2, KW: 3, SH: 1, SW: 2, PH: 1, PW: 1}},
		{[4]int{1, 3, 9, 4}, tensor.Square(4, 3, 2)},
		{[4]int{2, 2, 11, 9}, tensor.Window{KH: 2, KW: 3, SH: 3, SW: 4, PH: 1, PW: 1}},
		{[4]int{2, 10, 5, 7}, tensor.Window{KH: 5, KW: 7, SH: 5, SW: 7}}, // global: one window, the whole map
	}
	for len(cases) < 12 {
		w := tensor.Window{KH: 1 + c.rng.IntN(4), KW: 1 + c.rng.IntN(4), SH: 1 + c.rng.IntN(3), SW: 1 + c.rng.IntN(3)}
		w.PH, w.PW = c.rng.IntN(w.KH/2+1), c.rng.IntN(w.KW/2+1)
		s := [4]int{1 + c.rng.IntN(2), 1 + c.rng.IntN(3), 1 + c.rng.IntN(10), 1 + c.rng.IntN(10)}
		if oh, ow := w.Out(s[2], s[3]); oh >= 1 && ow >= 1 {
			cases = append(cases, windowCase{s, w})
		}
	}
	return cases
}

// MaxPoolReference is the reference max-pool of x, images of shape s
// (N, C, H, W): the first maximum of each window in row-major order over
// the pixels inside the input, and its index within the plane. Layers'
// tests call it on float64 inputs, to take differences of its output.
func MaxPoolReference[T float32 | float64](x []T, s [4]int, w tensor.Window) (y []float64, argmax []int32) {
	h, wd := s[2], s[3]
	oh, ow := w.Out(h, wd)
	for plane := range s[0] * s[1] {
		xp := x[plane*h*wd:][:h*wd]
		for r := range oh {
			for q := range ow {
				at := -1
				for ih := r*w.SH - w.PH; ih < r*w.SH-w.PH+w.KH; ih++ {
					for iw := q*w.SW - w.PW; iw < q*w.SW-w.PW+w.KW; iw++ {
						if ih < 0 || ih >= h || iw < 0 || iw >= wd {
							continue
						}
						if at < 0 || xp[ih*wd+iw] > xp[at] {
							at = ih*wd + iw
						}
					}
				}
				y = append(y, float64(xp[at]))
				argmax = append(argmax, int32(at))
			}
		}
	}
	return y, argmax
}

// testMaxPool draws inputs from a few integers, so windows hold ties, and
// once from negative integers only, where a padding value of 0 would win.
func testMaxPool(c *checker) {
	for _, wc := range c.poolCases() {
		for _, r := range [][2]int{{-3, 3}, {-9, -1}} {
			c.run(fmt.Sprintf("%v_values%d..%d", wc, r[0], r[1]), func(c *checker) {
				x := c.steps(elems(wc.shape[:]), r[0], r[1])
				yShape := tensor.PoolOut(wc.shape[:], wc.win)
				y := c.out("y", yShape...)
				argmax := c.alloc("argmax", false, make([]int32, elems(yShape)), yShape...)
				tensor.MaxPool(y.t, argmax.t, c.in("x", x, wc.shape[:]...), wc.win)
				wantY, wantArg := MaxPoolReference(x, wc.shape, wc.win)
				sameElems(c, "argmax", c.ints(argmax), wantArg)
				c.near("y", c.floats(y), wantY, c.tol.Other)
			})
		}
	}
}

// testMaxPoolGrad routes gradients through a real max-pool's argmax and
// through random pixels of each window, where overlapping windows share
// pixels, then through a ReLU's mask (the random routing's cases); dx
// starts as NaN since MaxPoolGrad overwrites it.
func testMaxPoolGrad(c *checker) {
	for _, wc := range c.poolCases() {
		for _, random := range []bool{false, true} {
			c.run(fmt.Sprintf("%v_random:%v", wc, random), func(c *checker) {
				h, w := wc.shape[2], wc.shape[3]
				yShape := tensor.PoolOut(wc.shape[:], wc.win)
				_, arg := MaxPoolReference(c.steps(elems(wc.shape[:]), -3, 3), wc.shape, wc.win)
				if random {
					// Any pixel of the window, not only its maximum:
					// every routing MaxPool could write.
					per := yShape[2] * yShape[3]
					for i := range arg {
						r, q := i%per/yShape[3], i%yShape[3]
						h0, w0 := max(r*wc.win.SH-wc.win.PH, 0), max(q*wc.win.SW-wc.win.PW, 0)
						h1, w1 := min(r*wc.win.SH-wc.win.PH+wc.win.KH, h), min(q*wc.win.SW-wc.win.PW+wc.win.KW, w)
						arg[i] = int32((h0+c.rng.IntN(h1-h0))*w + w0 + c.rng.IntN(w1-w0))
					}
				}
				dy := c.uniform(elems(yShape), -1, 1)
				dx := c.out("dx", wc.shape[:]...)
				var mask []float32
				var maskT *tensor.Tensor
				if random {
					mask = reluMask(c, elems(wc.shape[:]))
					maskT = c.in("mask", mask, wc.shape[:]...)
				}
				tensor.MaxPoolGrad(dx.t, c.in("dy", dy, yShape...), c.alloc("argmax", true, arg, yShape...).t, wc.win, maskT)
				want := make([]float64, elems(wc.shape[:]))
				per := yShape[2] * yShape[3]
				for i, g := range dy {
					want[i/per*h*w+int(arg[i])] += float64(g)
				}
				masked(want, mask)
				c.near("dx", c.floats(dx), want, c.tol.Other)
			})
		}
	}
}

// avgPoolWindows calls fn(plane, out, in) for every pixel in of every
// output out's window inside the plane, for images of shape s.
func avgPoolWindows(s [4]int, w tensor.Window, fn func(plane, out, in int)) {
	h, wd := s[2], s[3]
	oh, ow := w.Out(h, wd)
	for plane := range s[0] * s[1] {
		for r := range oh {
			for q := range ow {
				for ih := r*w.SH - w.PH; ih < r*w.SH-w.PH+w.KH; ih++ {
					for iw := q*w.SW - w.PW; iw < q*w.SW-w.PW+w.KW; iw++ {
						if ih >= 0 && ih < h && iw >= 0 && iw < wd {
							fn(plane, r*ow+q, ih*wd+iw)
						}
					}
				}
			}
		}
	}
}

// AvgPoolReference is the reference average pool of x, images of shape s
// (N, C, H, W): each window's sum over the pixels inside the input divided
// by KH*KW, the padding counted as zeros. Layers' tests call it on float64
// inputs, as they do MaxPoolReference.
func AvgPoolReference[T float32 | float64](x []T, s [4]int, w tensor.Window) []float64 {
	oh, ow := w.Out(s[2], s[3])
	y := make([]float64, s[0]*s[1]*oh*ow)
	size := float64(w.KH * w.KW)
	avgPoolWindows(s, w, func(plane, out, in int) {
		y[plane*oh*ow+out] += float64(x[plane*s[2]*s[3]+in]) / size
	})
	return y
}

func testAvgPool(c *checker) {
	for _, wc := range c.poolCases() {
		c.run(wc.String(), func(c *checker) {
			x := c.uniform(elems(wc.shape[:]), -1, 1)
			y := c.out("y", tensor.PoolOut(wc.shape[:], wc.win)...)
			tensor.AvgPool(y.t, c.in("x", x, wc.shape[:]...), wc.win)
			c.near("y", c.floats(y), AvgPoolReference(x, wc.shape, wc.win), c.tol.Other)
		})
	}
}

// testAvgPoolGrad starts dx as NaN, since AvgPoolGrad overwrites it.
func testAvgPoolGrad(c *checker) {
	for _, wc := range c.poolCases() {
		c.run(wc.String(), func(c *checker) {
			yShape := tensor.PoolOut(wc.shape[:], wc.win)
			dy := c.uniform(elems(yShape), -1, 1)
			dx := c.out("dx", wc.shape[:]...)
			tensor.AvgPoolGrad(dx.t, c.in("dy", dy, yShape...), wc.win)
			want := make([]float64, elems(wc.shape[:]))
			per, size := yShape[2]*yShape[3], float64(wc.win.KH*wc.win.KW)
			avgPoolWindows(wc.shape, wc.win, func(plane, out, in int) {
				want[plane*wc.shape[2]*wc.shape[3]+in] += float64(dy[plane*per+out]) / size
			})
			c.near("dx", c.floats(dx), want, c.tol.Other)
		})
	}
}

// reluMask returns n values such as a ReLU writes: about half zeros, the
// rest positive, and a NaN (which ReLUGrad does not let through).
func reluMask(c *checker, n int) []float32 {
	m := c.uniform(n, -1, 1)
	for i, v := range m {
		m[i] = max(v, 0)
	}
	m[c.rng.IntN(n)] = float32(math.NaN())
	return m
}

// masked zeroes want where mask (unless nil) is not positive: a ReLU's
// gradient.
func masked(want []float64, mask []float32) {
	for i, m := range mask {
		if !(m > 0) {
			want[i] = 0
		}
	}
}
