package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// batchCase is one call of SgemmBatch with its operands laid out in memory:
// A from a gemmCase, and each product's B and C a random gap after the one
// before, with NaN in B's gaps and guards around and between the C_i.
type batchCase struct {
	gemmCase
	batch            int
	strideB, strideC int
	bs, cs0          []float32
}

func (bc batchCase) String() string {
	return fmt.Sprintf("%v batch=%d strideB=%d strideC=%d", bc.gemmCase, bc.batch, bc.strideB, bc.strideC)
}

func newBatchCase(rng *rand.Rand, transA, transB bool, m, n, k, batch int, alpha, beta float32) batchCase {
	bc := batchCase{gemmCase: newCase(rng, transA, transB, m, n, k, alpha, beta, 3), batch: batch}
	br, bcols := k, n
	if transB {
		br, bcols = n, k
	}
	bc.strideB = matLen(br, bcols, bc.ldb) + rng.IntN(8)
	bc.strideC = matLen(m, n, bc.ldc) + rng.IntN(8)
	bc.bs = make([]float32, batch*bc.strideB)
	bc.cs0 = make([]float32, guardLen+batch*bc.strideC+guardLen)
	for i := range bc.bs {
		bc.bs[i] = float32(math.NaN())
	}
	for i := range bc.cs0 {
		bc.cs0[i] = guard
	}
	for i := range batch {
		copy(bc.bs[i*bc.strideB:], randMatrix(rng, br, bcols, bc.ldb))
		for r := range m {
			for j := range n {
				v := float32(rng.NormFloat64())
				if beta == 0 {
					v = float32(math.NaN()) // must not be read
				}
				bc.cs0[guardLen+i*bc.strideC+r*bc.ldc+j] = v
			}
		}
	}
	return bc
}

// want runs the products one by one through Sgemm, or SgemmBF16.
func (bc batchCase) want() []float32 {
	c := append([]float32(nil), bc.cs0...)
	sgemm := Workers(0).Sgemm
	if bc.bf16 {
		sgemm = Workers(0).SgemmBF16
	}
	for i := range bc.batch {
		sgemm(bc.transA, bc.transB, bc.m, bc.n, bc.k, bc.alpha, bc.a, bc.lda, bc.bs[i*bc.strideB:], bc.ldb, bc.beta, c[guardLen+i*bc.strideC:], bc.ldc)
	}
	return c
}

// run calls SgemmBatch on a copy of C; the slice ends where the last C_i
// does, so a write past it lands in the guard.
func (bc batchCase) run() []float32 {
	c := append([]float32(nil), bc.cs0...)
	end := len(c) - guardLen - (bc.strideC - matLen(bc.m, bc.n, bc.ldc))
	batch := Workers(0).SgemmBatch
	if bc.bf16 {
		batch = Workers(0).SgemmBatchBF16
	}
	batch(bc.transA, bc.transB, bc.m, bc.n, bc.k, bc.alpha, bc.a, bc.lda, bc.bs, bc.ldb, bc.strideB, bc.beta, c[guardLen:end:end], bc.ldc, bc.strideC, bc.batch)
	return c
}

// TestSgemmBatch checks that every product of a batch is the same to the
// bit as Sgemm's, guards included, at 1 to 3 workers: small products, and
// products big enough that A is packed in parallel and each product would
// be split, with batches that do and do not divide among the workers.
func TestSgemmBatch(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {13, 7, 5}, {25, 40, 300}, {40, 600, 200}, {300, 20, 800}}
	if testing.Short() {
		shapes = shapes[:4]
	}
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		scalars := [][2]float32{{1, 0}, {-0.5, 1}, {1.5, -2}}
		for _, s := range shapes {
			for _, batch := range []int{1, 2, 3, 5} {
				ab := scalars[rng.IntN(len(scalars))]
				bc := newBatchCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, s[0], s[1], s[2], batch, ab[0], ab[1])
				want := bc.want()
				for _, w := range []int{1, 2, 3} {
					var got []float32
					withWorkers(w, func() { got = bc.run() })
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v with %d workers: element %d (C offset %d) is %g, Sgemm gives %g", bc, w, i, i-guardLen, got[i], want[i])
						}
					}
				}
			}
		}
	})
}

func TestSgemmBatchNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	bc := newBatchCase(rng, false, false, 100, 150, 300, 3, 1, 0)
	checkNoAllocs(t, bc, func() {
		SgemmBatch(false, false, bc.m, bc.n, bc.k, 1, bc.a, bc.lda, bc.bs, bc.ldb, bc.strideB, 0, bc.cs0[guardLen:], bc.ldc, bc.strideC, bc.batch)
	})
}

func TestSgemmBatchPanics(t *testing.T) {
	a, b, c := make([]float32, 6), make([]float32, 12), make([]float32, 8)
	cases := []panicCase{
		{"negative batch", func() { SgemmBatch(false, false, 2, 2, 3, 1, a, 3, b, 2, 6, 0, c, 2, 4, -1) }, "batch=-1"},
		{"negative stride", func() { SgemmBatch(false, false, 2, 2, 3, 1, a, 3, b, 2, -6, 0, c, 2, 4, 2) }, "strideB = -6"},
		{"short b", func() { SgemmBatch(false, false, 2, 2, 3, 1, a, 3, b[:11], 2, 6, 0, c, 2, 4, 2) }, "len(b) = 11, want >= 12 for 2 3x2 matrices"},
		{"short c", func() { SgemmBatch(false, false, 2, 2, 3, 1, a, 3, b, 2, 6, 0, c[:7], 2, 4, 2) }, "len(c) = 7, want >= 8"},
		{"overlapping c", func() { SgemmBatch(false, false, 2, 2, 3, 1, a, 3, b, 2, 6, 0, c, 2, 3, 2) }, "strideC = 3, want >= 4"},
	}
	testPanics(t, cases)
}
