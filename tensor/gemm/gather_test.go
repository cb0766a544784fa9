package gemm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// storedGather gathers the B_i of a batchCase from where they are stored,
// checking that every piece asked for lies inside B_i.
type storedGather struct {
	t          *testing.T
	bc         batchCase
	rows, cols int // B_i as stored
}

func newStoredGather(t *testing.T, bc batchCase) *storedGather {
	rows, cols := stored(bc.transB, bc.k, bc.n)
	return &storedGather{t: t, bc: bc, rows: rows, cols: cols}
}

func (g *storedGather) Gather(dst []float32, ld, b, i0, rows, j0, n int) {
	if b < 0 || b >= g.bc.batch || i0 < 0 || i0+rows > g.rows || j0 < 0 || j0+n > g.cols {
		g.t.Errorf("Gather(b=%d, rows [%d, %d), cols [%d, %d)) outside %d %dx%d matrices", b, i0, i0+rows, j0, j0+n, g.bc.batch, g.rows, g.cols)
		return
	}
	src := g.bc.bs[b*g.bc.strideB:]
	for r := range rows {
		copy(dst[r*ld:r*ld+n], src[(i0+r)*g.bc.ldb+j0:][:n])
	}
}

// gatherModes are the three ways SgemmGather runs a batch: sharing A,
// one A per product, and one A per product summed into one C.
var gatherModes = []struct {
	name          string
	perA, summing bool
}{{"shared A", false, false}, {"A per product", true, false}, {"summing", true, true}}

// TestSgemmGather checks that each product of SgemmGather is the same to
// the bit as Sgemm's (SgemmBF16's) with B stored, guards included, at 1
// to 3 workers, in each mode, and that Then sees every C_i once,
// complete.
func TestSgemmGather(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {13, 7, 5}, {25, 40, 300}, {40, 600, 200}, {300, 20, 800}, {50, 2100, 9}}
	if testing.Short() {
		shapes = shapes[:4]
	}
	run := func(t *testing.T, bf16 bool) {
		rng := rand.New(rand.NewPCG(31, 32))
		scalars := [][2]float32{{1, 0}, {-0.5, 1}, {1.5, -2}, {0, 0.5}}
		for _, s := range shapes {
			for _, mode := range gatherModes {
				for _, batch := range []int{1, 3, 5} {
					ab := scalars[rng.IntN(len(scalars))]
					bc := newBatchCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, s[0], s[1], s[2], batch, ab[0], ab[1])
					bc.bf16 = bf16
					checkGather(t, bc, mode.perA, mode.summing, rng)
				}
			}
		}
	}
	forEachKernel(t, func(t *testing.T) { run(t, false) })
	forEachBF16Kernel(t, func(t *testing.T) { run(t, true) })
}

// checkGather runs bc through SgemmGather, with one A per product when
// perA (drawn at random beside the case's) and into one C when summing,
// against Sgemm product by product.
func checkGather(t *testing.T, bc batchCase, perA, summing bool, rng *rand.Rand) {
	t.Helper()
	ar, ac := stored(bc.transA, bc.m, bc.k)
	as, strideA := bc.a, 0
	if perA {
		strideA = matLen(ar, ac, bc.lda) + rng.IntN(4)
		as = make([]float32, bc.batch*strideA)
		for i := range bc.batch {
			copy(as[i*strideA:], randMatrix(rng, ar, ac, bc.lda))
		}
	}
	strideC := bc.strideC
	if summing {
		strideC = 0
	}
	sgemm := Workers(0).Sgemm
	if bc.bf16 {
		sgemm = Workers(0).SgemmBF16
	}
	want := append([]float32(nil), bc.cs0...)
	for i := range bc.batch {
		beta := bc.beta
		if summing && i > 0 {
			beta = 1
		}
		sgemm(bc.transA, bc.transB, bc.m, bc.n, bc.k, bc.alpha, as[i*strideA:], bc.lda, bc.bs[i*bc.strideB:], bc.ldb, beta, want[guardLen+i*strideC:], bc.ldc)
	}
	cLen := matLen(bc.m, bc.n, bc.ldc)
	for _, w := range []int{1, 2, 3} {
		got := append([]float32(nil), bc.cs0...)
		end := guardLen + (bc.batch-1)*strideC + cLen
		seen := make([][]float32, bc.batch)
		args := GatherArgs{TransA: bc.transA, TransB: bc.transB, M: bc.m, N: bc.n, K: bc.k, Alpha: bc.alpha,
			A: as, LDA: bc.lda, StrideA: strideA, B: newStoredGather(t, bc), Beta: bc.beta,
			C: got[guardLen:end:end], LDC: bc.ldc, StrideC: strideC, Batch: bc.batch, BF16: bc.bf16,
			Then: func(i int) {
				if seen[i] != nil {
					t.Errorf("%v: Then(%d) called twice", bc, i)
				}
				seen[i] = slices.Clone(got[guardLen+i*strideC:][:cLen])
			}}
		withWorkers(w, func() { Workers(0).SgemmGather(&args) })
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%v perA=%v summing=%v with %d workers: element %d (C offset %d) is %g, Sgemm gives %g", bc, perA, summing, w, i, i-guardLen, got[i], want[i])
			}
		}
		for i, c := range seen {
			switch {
			case summing && c != nil:
				t.Fatalf("%v summing: Then(%d) called", bc, i)
			case !summing && (c == nil || !slices.Equal(floatBits(c), floatBits(got[guardLen+i*strideC:][:cLen]))):
				t.Fatalf("%v perA=%v with %d workers: Then(%d) missing or before C_%d was complete", bc, perA, w, i, i)
			}
		}
	}
}

// floatBits returns the bits of each element, so NaNs compare equal.
func floatBits(s []float32) []uint32 {
	b := make([]uint32, len(s))
	for i, v := range s {
		b[i] = math.Float32bits(v)
	}
	return b
}

func TestSgemmGatherPanics(t *testing.T) {
	a, c := make([]float32, 12), make([]float32, 8)
	g := &storedGather{t: t}
	call := func(args GatherArgs) func() {
		return func() { Workers(0).SgemmGather(&args) }
	}
	cases := []panicCase{
		{"negative batch", call(GatherArgs{M: 2, N: 2, K: 3, A: a, LDA: 3, B: g, C: c, LDC: 2, StrideC: 4, Batch: -1}), "batch=-1"},
		{"short a", call(GatherArgs{M: 2, N: 2, K: 3, A: a[:11], LDA: 3, StrideA: 6, B: g, C: c, LDC: 2, StrideC: 4, Batch: 2}), "len(a) = 11, want >= 12 for 2 2x3 matrices"},
		{"overlapping c", call(GatherArgs{M: 2, N: 2, K: 3, A: a, LDA: 3, B: g, C: c, LDC: 2, StrideC: 3, Batch: 2}), "strideC = 3, want >= 4"},
	}
	testPanics(t, cases)
}
