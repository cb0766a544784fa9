package devicetest

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/tensorforge/tensorforge/tensor"
)

// gemmScalars are the (alpha, beta) pairs the cases take in turn: beta 0
// must ignore C's old contents (the suite fills C with NaN then), beta 1
// accumulates, and the others scale both terms.
var gemmScalars = [][2]float32{{1, 0}, {0.75, 1}, {-1.25, 0.5}, {2, 0}}

// gemmIn returns the sub-test that runs test's cases in precision p, or
// skips them, saying why, on a device that does not run p.
func gemmIn(p tensor.Precision, test func(c *checker, p tensor.Precision)) func(c *checker) {
	return func(c *checker) {
		note, err := c.dev.GemmPrecision(p)
		if err != nil {
			c.t.Skip(err)
		}
		if note != "" {
			c.t.Log(note)
		}
		test(c, p)
	}
}

func testGemm(c *checker, p tensor.Precision) {
	shapes := [][3]int{{1, 1, 1}, {1, 9, 4}, {7, 1, 5}, {5, 6, 1}, {4, 3, 0}, {13, 17, 11}, {33, 2, 257}, {129, 131, 67}}
	k := 0
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			ab := gemmScalars[k%len(gemmScalars)]
			k++
			g := tensor.GemmArgs{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2], Alpha: ab[0], Beta: ab[1], Precision: p}
			c.run(gemmName(&g), func(c *checker) { c.gemm(g) })
		}
	}
}

func testGemmBatched(c *checker, p tensor.Precision) {
	type batched struct {
		m, n, k, batch int
		transA, transB bool
		shareA, shareB bool // stride 0: one matrix for the whole batch
		sum            bool // StrideC 0: the batch sums into one C
	}
	for i, b := range []batched{
		{m: 1, n: 1, k: 1, batch: 0},
		{m: 6, n: 11, k: 9, batch: 3, shareA: true},
		{m: 5, n: 7, k: 3, batch: 4, transA: true, transB: true},
		{m: 9, n: 4, k: 6, batch: 2, transA: true, shareB: true},
		{m: 16, n: 27, k: 50, batch: 5, transB: true, sum: true},
		{m: 3, n: 1, k: 13, batch: 3, transA: true, sum: true},
		{m: 1, n: 8, k: 2, batch: 7, sum: true, shareA: true},
	} {
		ab := gemmScalars[i%len(gemmScalars)]
		g := tensor.GemmArgs{TransA: b.transA, TransB: b.transB, M: b.m, N: b.n, K: b.k, Alpha: ab[0], Beta: ab[1], Batch: b.batch, Precision: p}
		ar, ac, br, bc := gemmOperands(&g)
		g.LDA, g.LDB, g.LDC = ac+c.rng.IntN(3), bc+c.rng.IntN(3), g.N+c.rng.IntN(3)
		if !b.shareA {
			g.StrideA = extent(ar, ac, g.LDA) + c.rng.IntN(4)
		}
		if !b.shareB {
			g.StrideB = extent(br, bc, g.LDB) + c.rng.IntN(4)
		}
		if !b.sum {
			g.StrideC = extent(g.M, g.N, g.LDC) + c.rng.IntN(4)
		}
		c.run(gemmName(&g), func(c *checker) { c.gemm(g) })
	}
}

func gemmName(g *tensor.GemmArgs) string {
	name := fmt.Sprintf("%dx%dx%d_tA:%v_tB:%v_alpha%v_beta%v", g.M, g.N, g.K, g.TransA, g.TransB, g.Alpha, g.Beta)
	if g.Batch != 0 || g.StrideA != 0 || g.StrideB != 0 || g.StrideC != 0 {
		name += fmt.Sprintf("_batch%d_strides%d,%d,%d", g.Batch, g.StrideA, g.StrideB, g.StrideC)
	}
	return name
}

// gemmOperands returns the stored sizes of A and B.
func gemmOperands(g *tensor.GemmArgs) (ar, ac, br, bc int) {
	ar, ac, br, bc = g.M, g.K, g.K, g.N
	if g.TransA {
		ar, ac = ac, ar
	}
	if g.TransB {
		br, bc = bc, br
	}
	return ar, ac, br, bc
}

// extent returns how many elements a rows x cols matrix with leading
// dimension ld spans.
func extent(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// gemm runs g on random operands, each exactly as long as the batch needs
// so the guards sit right after the last element, and checks C. Leading
// dimensions the case leaves 0 are set to the row length plus up to 2.
func (c *checker) gemm(g tensor.GemmArgs) {
	ar, ac, br, bc := gemmOperands(&g)
	if g.LDA == 0 {
		g.LDA, g.LDB, g.LDC = max(ac, 1)+c.rng.IntN(3), max(bc, 1)+c.rng.IntN(3), max(g.N, 1)+c.rng.IntN(3)
	}
	batch := max(g.Batch, 1)
	cBatch := batch
	if g.StrideC == 0 {
		cBatch = 1
	}
	span := func(rows, cols, ld, stride, batch int) int {
		if e := extent(rows, cols, ld); e > 0 {
			return (batch-1)*stride + e
		}
		return 0
	}
	a := c.uniform(span(ar, ac, g.LDA, g.StrideA, batch), -1, 1)
	b := c.uniform(span(br, bc, g.LDB, g.StrideB, batch), -1, 1)
	c0 := c.uniform(span(g.M, g.N, g.LDC, g.StrideC, cBatch), -1, 1)
	if g.Beta == 0 {
		for i := range c0 {
			c0[i] = float32(math.NaN())
		}
	}
	g.A, g.B = c.in("A", a, len(a)), c.in("B", b, len(b))
	cb := c.inout("C", c0, len(c0))
	g.C = cb.t
	tensor.Gemm(&g)
	got := c.floats(cb)

	// want holds C's elements that the product writes, in the order
	// written; every other element of the tensor must keep its bits.
	ref := GemmReference(&g, a, b, c0, cBatch)
	var want []float64
	var gotW []float32
	written := make([]bool, len(c0))
	for ci := range cBatch {
		for r := range g.M {
			for col := range g.N {
				idx := ci*g.StrideC + r*g.LDC + col
				want = append(want, ref[(ci*g.M+r)*g.N+col])
				gotW = append(gotW, got[idx])
				written[idx] = true
			}
		}
	}
	c.product("C", &g, a, b, c0, cBatch, gotW, want)
	for i, w := range written {
		if !w && math.Float32bits(got[i]) != math.Float32bits(c0[i]) {
			c.t.Errorf("C: element %d, outside every matrix of the batch, changed from %v to %v", i, c0[i], got[i])
			return
		}
	}
}

// product checks got, the elements of g's product (of operands a, b and
// c0, cBatch outputs) against want, the exact result from GemmReference:
// within the bound of BF16 arithmetic for a BF16 product, else within the
// Gemm tolerance.
func (c *checker) product(what string, g *tensor.GemmArgs, a, b, c0 []float32, cBatch int, got []float32, want []float64) {
	c.t.Helper()
	if g.Precision == tensor.BF16 {
		c.withinBF16(what, g, a, b, c0, cBatch, got, want)
		return
	}
	// An element within float32's own summation error of its terms' sizes
	// counts as exact: where alpha's and beta's terms nearly cancel (a 1x1
	// product), that error is all of the result.
	size, _, terms := gemmSizes(g, a, b, c0, cBatch)
	for i, w := range want {
		if math.Abs(float64(got[i])-w) <= 2*terms*0x1p-24*size[i] {
			got[i] = float32(w)
		}
	}
	c.near(what, got, want, c.tol.Gemm)
}

// withinBF16 fails the test unless every element of got, the written
// elements of a BF16 product named what, is within the error bound of that arithmetic
// of want, the exact result: each operand's rounding to bfloat16 (8 bits
// of significand, so half a unit in the last place is at most 2^-8 of the
// value) moves a product by at most 2^-7 + 2^-16 of its size, and
// float32 sums of K products (alpha and beta's terms added) by at most
// (K+2) 2^-24 of the sum of their sizes, here doubled for whatever order
// a device sums in. The sizes are the same product with every operand and
// scalar made positive.
func (c *checker) withinBF16(what string, g *tensor.GemmArgs, a, b, c0 []float32, cBatch int, got []float32, want []float64) {
	c.t.Helper()
	size, prodSize, terms := gemmSizes(g, a, b, c0, cBatch)
	for i, w := range want {
		bound := (0x1p-7+0x1p-16)*prodSize[i] + 2*terms*0x1p-24*size[i]
		if d := math.Abs(float64(got[i]) - w); !(d <= bound) {
			c.t.Errorf("%s: element %d of the product is %v, want %v within %.3g (bfloat16 operands, %v float32 terms)", what, i, got[i], w, bound, terms)
			return
		}
	}
}

// gemmSizes returns, for each element of g's product, the size of its
// terms (the product with every operand and scalar made positive), that of
// its products alone (beta's term left out), and how many float32 terms
// its sum adds: K products and the two scalars' terms, or K for each entry
// of a batch summed into one C.
func gemmSizes(g *tensor.GemmArgs, a, b, c0 []float32, cBatch int) (size, prodSize []float64, terms float64) {
	abs := func(x []float32) []float32 {
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = float32(math.Abs(float64(v)))
		}
		return y
	}
	ga := *g
	ga.Alpha, ga.Beta = float32(math.Abs(float64(g.Alpha))), float32(math.Abs(float64(g.Beta)))
	products := ga
	products.Beta = 0
	size, prodSize = GemmReference(&ga, abs(a), abs(b), abs(c0), cBatch), GemmReference(&products, abs(a), abs(b), nil, cBatch)
	terms = float64(g.K + 2)
	if g.StrideC == 0 && g.Batch > 1 { // the batch sums into one C
		terms = float64(g.Batch*g.K + 2)
	}
	return size, prodSize, terms
}

// GemmReference returns alpha*sum op(A_i)*op(B_i) + beta*C for each of the
// cBatch outputs of g (Batch of them, or 1 when g sums the batch into one
// C) in float64, row-major M x N each; a, b and c hold the operands as g
// describes them, from their first matrices. The rows are shared among the
// CPU's cores, so that a device's tests can check large products.
func GemmReference(g *tensor.GemmArgs, a, b, c []float32, cBatch int) []float64 {
	batch := max(g.Batch, 1)
	out := make([]float64, cBatch*g.M*g.N)
	rows := make(chan int)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for zi := range rows {
				z, i := zi/max(g.M, 1), zi%max(g.M, 1)
				first, last := z, z+1
				if cBatch == 1 {
					first, last = 0, batch
				}
				for j := range g.N {
					var s float64
					for e := first; e < last; e++ {
						for k := range g.K {
							ai, bi := e*g.StrideA+i*g.LDA+k, e*g.StrideB+k*g.LDB+j
							if g.TransA {
								ai = e*g.StrideA + k*g.LDA + i
							}
							if g.TransB {
								bi = e*g.StrideB + j*g.LDB + k
							}
							s += float64(a[ai]) * float64(b[bi])
						}
					}
					w := float64(g.Alpha) * s
					if g.Beta != 0 {
						w += float64(g.Beta) * float64(c[z*g.StrideC+i*g.LDC+j])
					}
					out[(z*g.M+i)*g.N+j] = w
				}
			}
		})
	}
	for zi := range cBatch * g.M {
		rows <- zi
	}
	close(rows)
	wg.Wait()
	return out
}
