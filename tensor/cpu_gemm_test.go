package tensor

import (
	"fmt"
	"math"
	"testing"
)

// TestGemmGroupedBitIdentical checks that products grouped over a shared
// A give exactly what running them one at a time gives, C's padding and
// the gaps between the Cs untouched, for beta 0 (C starts as NaN) and not.
func TestGemmGroupedBitIdentical(t *testing.T) {
	dev := CPU()
	for _, tc := range []struct {
		m, n, k, batch int
		transA         bool
		alpha, beta    float32
	}{
		{m: 37, n: 144, k: 70, batch: 16, alpha: 1},
		{m: 50, n: 100, k: 33, batch: 11, transA: true, alpha: 1},
		{m: 13, n: 29, k: 300, batch: 40, alpha: -0.5, beta: 0.75},
		{m: 25, n: 7, k: 9, batch: 150, transA: true, alpha: 2, beta: 1},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d_batch%d_tA:%v_beta%v", tc.m, tc.n, tc.k, tc.batch, tc.transA, tc.beta), func(t *testing.T) {
			g := GemmArgs{TransA: tc.transA, M: tc.m, N: tc.n, K: tc.k, Alpha: tc.alpha, Beta: tc.beta, Batch: tc.batch,
				LDA: tc.k + 1, LDB: tc.n + 2, LDC: tc.n + 3}
			ar := tc.m
			if tc.transA {
				ar, g.LDA = tc.k, tc.m+1
			}
			g.StrideB, g.StrideC = tc.k*g.LDB+5, tc.m*g.LDC+7
			if size := groupSize(&g, tc.batch); size < 2 || size >= tc.batch {
				t.Fatalf("groups of %d for a batch of %d: the case does not take the grouped path with a partial last group", size, tc.batch)
			}
			g.A = RandNormal(dev, 1, 0, 1, ar*g.LDA)
			g.B = RandNormal(dev, 2, 0, 1, tc.batch*g.StrideB)
			c0 := RandNormal(dev, 3, 0, 1, tc.batch*g.StrideC)
			if tc.beta == 0 {
				Fill(c0, float32(math.NaN()))
			}
			run := func(grouped bool) []float32 {
				g.C = c0.Clone()
				if !grouped {
					// A busy scratch makes Gemm run the products singly.
					gemmScratch.Lock()
					defer gemmScratch.Unlock()
				}
				Gemm(&g)
				return f32(g.C)
			}
			want, got := run(false), run(true)
			for i := range want {
				if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
					t.Fatalf("element %d: grouped %v, one at a time %v", i, got[i], want[i])
				}
			}
		})
	}
}
