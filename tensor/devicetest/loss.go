package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

// softmaxCE64 is the reference softmax cross-entropy: the mean loss, the
// rows whose first maximal logit is the label, and (softmax - onehot)/N.
func softmaxCE64(logits []float32, labels []int32, k int) (loss float64, correct int32, dlogits []float64) {
	n := len(labels)
	dlogits = make([]float64, n*k)
	for r, label := range labels {
		row := wide64(logits[r*k : (r+1)*k])
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == int(label) {
			correct++
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v - row[best])
		}
		loss += math.Log(s) - (row[label] - row[best])
		for j, v := range row {
			dlogits[r*k+j] = math.Exp(v-row[best]) / s / float64(n)
		}
		dlogits[r*k+int(label)] -= 1 / float64(n)
	}
	return loss / float64(n), correct, dlogits
}

// testSoftmaxCrossEntropy covers logits of ordinary size, logits up to 100
// in magnitude (exp overflows float32 unless the row maximum is taken out
// first), and logits from a few integers, where the first of tied maxima
// decides a prediction; each with and without dlogits.
func testSoftmaxCrossEntropy(c *checker) {
	kinds := []struct {
		name string
		gen  func(n int) []float32
	}{
		{"uniform", func(n int) []float32 { return c.uniform(n, -3, 3) }},
		{"large", func(n int) []float32 { return c.uniform(n, -100, 100) }},
		{"ties", func(n int) []float32 { return c.steps(n, 0, 2) }},
	}
	for _, s := range [][2]int{{1, 1}, {1, 10}, {7, 3}, {128, 10}, {5, 1000}, {33, 17}} {
		n, k := s[0], s[1]
		for _, kind := range kinds {
			for _, withGrad := range []bool{true, false} {
				c.run(fmt.Sprintf("%dx%d_%s_dlogits:%v", n, k, kind.name, withGrad), func(c *checker) {
					logits, labels := kind.gen(n*k), make([]int32, n)
					for i := range labels {
						labels[i] = int32(c.rng.IntN(k))
					}
					loss := c.out("loss", 1)
					correct := c.alloc("correct", false, []int32{-1}, 1)
					var dlogits *buffer
					var dt *tensor.Tensor
					if withGrad {
						dlogits = c.out("dlogits", n, k)
						dt = dlogits.t
					}
					tensor.SoftmaxCrossEntropy(loss.t, correct.t, dt, c.in("logits", logits, n, k), c.alloc("labels", true, labels, n).t)
					wantLoss, wantCorrect, wantD := softmaxCE64(logits, labels, k)
					c.near("loss", c.floats(loss), []float64{wantLoss}, c.tol.Other)
					sameElems(c, "correct", c.ints(correct), []int32{wantCorrect})
					if withGrad {
						c.near("dlogits", c.floats(dlogits), wantD, c.tol.Other)
					}
				})
			}
		}
	}
}
