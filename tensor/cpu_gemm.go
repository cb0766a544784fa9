package tensor

import (
	"sync"

	"github.com/tensorforge/tensorforge/tensor/gemm"
)

// groupCols is how many columns of C a grouped product aims at. Measured
// on Zen 4 with AlexNet's conv3-5 (144 columns an image): grouping 7
// images packs the shared A a seventh as often and gains 3 to 7%; wider
// groups gain no more, as gathering a B too big for the caches costs what
// the packing saves, and conv2's 676 columns an image do not pay at all.
const groupCols = 1024

// gemmScratch holds the gathered operands of grouped products. It is grown
// to the largest group seen and kept, so a warm call allocates nothing; a
// call that finds it in use runs its products one at a time instead.
var gemmScratch struct {
	sync.Mutex
	b, c []float32
}

// Gemm runs the batch one product at a time, gemm.Sgemm splitting each over
// the workers, except where the products share A and have few columns (a
// convolution's forward and column gradient on small feature maps): there
// each product would pack all of A again for little work, so groups of
// products run as one, their Bs side by side in one wide matrix. The
// grouped product sums every element of C in the same order as the single
// ones, so the results are the same to the bit.
func (cpuDevice) Gemm(g *GemmArgs) {
	batch := max(g.Batch, 1)
	if size := groupSize(g, batch); size > 1 && gemmScratch.TryLock() {
		defer gemmScratch.Unlock()
		for i := 0; i < batch; i += size {
			gemmGroup(g, i, min(size, batch-i))
		}
		return
	}
	as, bs, cs := f32(g.A), f32(g.B), f32(g.C)
	beta := g.Beta
	for i := range batch {
		c := cs[i*g.StrideC:]
		gemm.Sgemm(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, as[i*g.StrideA:], g.LDA, bs[i*g.StrideB:], g.LDB, beta, c, g.LDC)
		if g.StrideC == 0 {
			// Summing mode: every later product accumulates into the one C.
			beta = 1
		}
	}
}

// groupSize returns how many products of g run as one: 1 unless A is
// shared, each product has its own C and B is stored K x N.
func groupSize(g *GemmArgs, batch int) int {
	if g.StrideA != 0 || g.StrideC == 0 || g.TransB || g.N == 0 || g.K == 0 || g.Alpha == 0 {
		return 1
	}
	return min(batch, groupCols/g.N)
}

// gemmGroup computes the n products from the first-th as one: C' = alpha *
// op(A) * B' + beta*C', with B' = [B_first ... B_first+n-1] (K x n*N) and
// C' likewise, gathered into the scratch and C' scattered back.
func gemmGroup(g *GemmArgs, first, n int) {
	w := n * g.N
	bs := growScratch(&gemmScratch.b, g.K*w)
	cs := growScratch(&gemmScratch.c, g.M*w)
	gather := stripArgs{wide: bs, ld: g.LDB, stride: g.StrideB, n: g.N, mats: n, toWide: true}
	gather.narrow = f32(g.B)[first*g.StrideB:]
	stripLoop.For(g.K, 1, gather)
	c := stripArgs{wide: cs, ld: g.LDC, stride: g.StrideC, n: g.N, mats: n}
	c.narrow = f32(g.C)[first*g.StrideC:]
	if g.Beta != 0 {
		c.toWide = true
		stripLoop.For(g.M, 1, c)
		c.toWide = false
	}
	gemm.Sgemm(g.TransA, false, g.M, w, g.K, g.Alpha, f32(g.A), g.LDA, bs, w, g.Beta, cs, w)
	stripLoop.For(g.M, 1, c)
}

// growScratch returns the first n elements of *s, growing it first if
// needed.
func growScratch(s *[]float32, n int) []float32 {
	if len(*s) < n {
		*s = make([]float32, n)
	}
	return (*s)[:n]
}

// stripArgs describes mats matrices of n columns, the i'th starting at
// narrow[i*stride] with rows ld apart, and the one matrix wide that holds
// them side by side (rows mats*n long).
type stripArgs struct {
	wide, narrow []float32
	ld, stride   int
	n, mats      int
	toWide       bool // gather into wide, else scatter out of it
}

// stripLoop copies rows [lo, hi) between the narrow matrices and wide.
var stripLoop = newLoop(func(a *stripArgs, lo, hi int) {
	w := a.mats * a.n
	for r := lo; r < hi; r++ {
		row := a.wide[r*w : (r+1)*w]
		for i := range a.mats {
			part := row[i*a.n : (i+1)*a.n]
			src := a.narrow[i*a.stride+r*a.ld:][:a.n]
			if a.toWide {
				copy(part, src)
			} else {
				copy(src, part)
			}
		}
	}
})
