package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// biasShapes are activations [N, C, ...] of a Linear layer (rank 2) and of
// convolutions, with size-1 dimensions in every place.
var biasShapes = [][]int{{1, 1}, {5, 3}, {2, 3, 7}, {3, 4, 5, 6}, {2, 1, 1, 1}, {1, 7, 1, 9}, {4, 7, 33, 9}}

// channelOf returns the channel of element i of activations of shape s.
func channelOf(s []int, i int) int {
	return i / elems(s[2:]) % s[1]
}

func testBiasAdd(c *checker) {
	for _, shape := range biasShapes {
		c.run(fmt.Sprint(shape), func(c *checker) {
			y0, b := c.uniform(elems(shape), -1, 1), c.uniform(shape[1], -1, 1)
			y := c.inout("y", y0, shape...)
			tensor.BiasAdd(y.t, c.in("b", b, shape[1]))
			want := wide64(y0)
			for i := range want {
				want[i] += float64(b[channelOf(shape, i)])
			}
			c.near("y", c.floats(y), want, c.tol.Other)
		})
	}
}

func testBiasGrad(c *checker) {
	for i, shape := range biasShapes {
		beta := gradBetas[i%len(gradBetas)]
		c.run(fmt.Sprintf("%v_beta%v", shape, beta), func(c *checker) {
			dy := c.uniform(elems(shape), -1, 1)
			db0, want := c.gradStart(shape[1], beta)
			db := c.inout("db", db0, shape[1])
			tensor.BiasGrad(db.t, c.in("dy", dy, shape...), beta)
			for i, v := range dy {
				want[channelOf(shape, i)] += float64(v)
			}
			c.near("db", c.floats(db), want, c.tol.Other)
		})
	}
}
