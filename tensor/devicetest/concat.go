package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// concatCases are the channel counts and per-image trailing shapes Concat
// and Split are checked on: odd sizes, a branch of one channel, a branch
// of none, a single branch, and a rank-2 case (no trailing dimensions).
var concatCases = []struct {
	n        int
	channels []int
	trail    []int
}{
	{3, []int{2, 5, 1, 3}, []int{3, 7}},
	{1, []int{4}, []int{5, 5}},
	{2, []int{3, 0, 2}, []int{1, 1}},
	{5, []int{1, 2}, nil},
	{4, []int{16, 7}, []int{9}},
}

// concatRef returns what y holds when the parts are concatenated along
// axis 1, each part n images of its channels times inner elements.
func concatRef(n, inner int, channels []int, parts [][]float32) []float32 {
	total := 0
	for _, c := range channels {
		total += c
	}
	y := make([]float32, 0, n*total*inner)
	for img := range n {
		for i, c := range channels {
			y = append(y, parts[i][img*c*inner:(img+1)*c*inner]...)
		}
	}
	return y
}

func testConcat(c *checker) {
	for _, k := range concatCases {
		c.run(fmt.Sprint(k.n, k.channels, k.trail), func(c *checker) {
			inner, total := elems(k.trail), 0
			xs, parts := make([]*tensor.Tensor, len(k.channels)), make([][]float32, len(k.channels))
			for i, ch := range k.channels {
				parts[i] = c.uniform(k.n*ch*inner, -1, 1)
				xs[i] = c.in(fmt.Sprintf("xs[%d]", i), parts[i], append([]int{k.n, ch}, k.trail...)...)
				total += ch
			}
			y := c.out("y", append([]int{k.n, total}, k.trail...)...)
			tensor.Concat(y.t, xs...)
			c.sameFloats("y", c.floats(y), concatRef(k.n, inner, k.channels, parts))
		})
	}
}

func testSplit(c *checker) {
	for _, k := range concatCases {
		c.run(fmt.Sprint(k.n, k.channels, k.trail), func(c *checker) {
			inner, total := elems(k.trail), 0
			xs, parts := make([]*buffer, len(k.channels)), make([][]float32, len(k.channels))
			for i, ch := range k.channels {
				parts[i] = c.uniform(k.n*ch*inner, -1, 1)
				xs[i] = c.out(fmt.Sprintf("xs[%d]", i), append([]int{k.n, ch}, k.trail...)...)
				total += ch
			}
			y := c.in("y", concatRef(k.n, inner, k.channels, parts), append([]int{k.n, total}, k.trail...)...)
			ts := make([]*tensor.Tensor, len(xs))
			for i, x := range xs {
				ts[i] = x.t
			}
			tensor.Split(ts, y)
			for i, x := range xs {
				c.sameFloats(fmt.Sprintf("xs[%d]", i), c.floats(x), parts[i])
			}
		})
	}
}
