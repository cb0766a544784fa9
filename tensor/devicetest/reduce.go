package devicetest

import (
	"fmt"
	"math"
	"slices"

	"github.com/tensorforge/tensorforge/tensor"
)

// reduceCase is a shape and the axes to reduce it over (tensor.AllAxes
// among them); nil means every axis and AllAxes.
type reduceCase struct {
	shape []int
	axes  []int
}

// reduceCases are odd shapes of rank 1 to 4 with size-1 axes, rows of
// more than a thousand elements reduced across, and long reductions: a
// whole tensor of a million elements, and an axis of 40001 rows of 3
// between two outer indices.
var reduceCases = []reduceCase{
	{shape: []int{1}},
	{shape: []int{7}},
	{shape: []int{3, 5}},
	{shape: []int{1, 9}},
	{shape: []int{4, 1, 6}},
	{shape: []int{2, 3, 5, 7}},
	{shape: []int{3, 1, 1, 2}},
	{shape: []int{3, 4, 1030}},
	{shape: []int{1<<20 + 3}},
	{shape: []int{2, 40001, 3}, axes: []int{1, tensor.AllAxes}},
}

// axesOf returns the axes the case reduces over.
func (rc reduceCase) axesOf() []int {
	if rc.axes != nil {
		return rc.axes
	}
	axes := []int{tensor.AllAxes}
	for a := range rc.shape {
		axes = append(axes, a)
	}
	return axes
}

// reduceShape returns the shape of y for a reduction of x over axis: the
// axis dropped, or kept as 1 (for AllAxes, no axes, or all kept as 1).
func reduceShape(x []int, axis int, kept bool) []int {
	if axis == tensor.AllAxes {
		if !kept {
			return []int{}
		}
		ones := make([]int, len(x))
		for i := range ones {
			ones[i] = 1
		}
		return ones
	}
	if !kept {
		return slices.Delete(slices.Clone(x), axis, axis+1)
	}
	y := slices.Clone(x)
	y[axis] = 1
	return y
}

// reduceGroups returns, for each output of a reduction of x over axis,
// the indices into x of the elements it reduces, in order.
func reduceGroups(x []int, axis int) [][]int {
	outer, n, inner := 1, elems(x), 1
	if axis != tensor.AllAxes {
		outer, n, inner = elems(x[:axis]), x[axis], elems(x[axis+1:])
	}
	groups := make([][]int, outer*inner)
	for o := range outer {
		for i := range inner {
			g := make([]int, n)
			for k := range g {
				g[k] = (o*n+k)*inner + i
			}
			groups[o*inner+i] = g
		}
	}
	return groups
}

func axisName(axis int) string {
	if axis == tensor.AllAxes {
		return "all"
	}
	return fmt.Sprint(axis)
}

// forReductions runs fn as a case for every shape, axis and form of y
// (axis dropped or kept).
func (c *checker) forReductions(fn func(c *checker, shape []int, axis int, yShape []int)) {
	for _, rc := range reduceCases {
		for _, axis := range rc.axesOf() {
			for _, kept := range []bool{false, true} {
				yShape := reduceShape(rc.shape, axis, kept)
				c.run(fmt.Sprintf("%v_axis:%s_y%v", rc.shape, axisName(axis), yShape), func(c *checker) {
					fn(c, rc.shape, axis, yShape)
				})
			}
		}
	}
}

// testSum bounds each output's error by the sum of the magnitudes it adds
// up: |got-want| <= tol * sum |x|, which float32 sums in any order meet
// unless they are long chains. Short sums take signed inputs, whose sums
// cancel; long ones positive inputs, where the bound is a relative error.
// Over the million elements, a plain float32 running sum misses it about
// tenfold: values in [0.05, 0.15) round with a bias as they are added.
func testSum(c *checker) {
	c.forReductions(func(c *checker, shape []int, axis int, yShape []int) {
		n := elems(shape)
		x := c.uniform(n, -1, 1)
		if n > 1<<16 {
			x = c.uniform(n, 0.05, 0.15)
		}
		y := c.out("y", yShape...)
		tensor.Sum(y.t, c.in("x", x, shape...), axis)
		got := c.floats(y)
		for o, g := range reduceGroups(shape, axis) {
			var want, mag float64
			for _, i := range g {
				want += float64(x[i])
				mag += math.Abs(float64(x[i]))
			}
			if d := math.Abs(float64(got[o]) - want); !(d <= c.tol.Other*mag) {
				c.t.Errorf("y[%d]: got %v, want %v: error %.3g exceeds %.3g times the sum of |x|, %v", o, got[o], want, d, c.tol.Other, mag)
				return
			}
		}
	})
}

// testMax draws values mostly below zero, so some outputs' elements are
// all negative, where starting from 0 would show. A maximum is exact.
func testMax(c *checker) {
	c.forReductions(func(c *checker, shape []int, axis int, yShape []int) {
		x := c.uniform(elems(shape), -2, 1)
		y := c.out("y", yShape...)
		tensor.Max(y.t, c.in("x", x, shape...), axis)
		c.sameMax(c.floats(y), x, reduceGroups(shape, axis))
	})
}

// testMaxNaN plants NaNs at one to three random places of the input: the
// outputs whose elements include one must be NaN, the others exact.
func testMaxNaN(c *checker) {
	c.forReductions(func(c *checker, shape []int, axis int, yShape []int) {
		n := elems(shape)
		x := c.uniform(n, -2, 1)
		for range 1 + c.rng.IntN(3) {
			x[c.rng.IntN(n)] = float32(math.NaN())
		}
		y := c.out("y", yShape...)
		tensor.Max(y.t, c.in("x", x, shape...), axis)
		c.sameMax(c.floats(y), x, reduceGroups(shape, axis))
	})
}

// sameMax fails the test unless each output is exactly the maximum of its
// group of x, or NaN where the group holds a NaN.
func (c *checker) sameMax(got, x []float32, groups [][]int) {
	c.t.Helper()
	for o, g := range groups {
		want := float32(math.Inf(-1))
		for _, i := range g {
			if v := x[i]; v > want || v != v {
				want = v
			}
			if want != want {
				break
			}
		}
		if got[o] != want && (want == want || got[o] == got[o]) {
			c.t.Errorf("y[%d] is %v, want %v", o, got[o], want)
			return
		}
	}
}
