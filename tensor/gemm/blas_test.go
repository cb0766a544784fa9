package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}

// TestImplementationMatchesGonum compares Implementation.Sgemm with
// gonum's on random shapes, transposes, scalars and strides.
func TestImplementationMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 60 {
		m, n, k := rng.IntN(40), rng.IntN(40), rng.IntN(90)
		tA, tB := transposes[rng.IntN(3)], transposes[rng.IntN(3)]
		alpha := float32(rng.NormFloat64())
		beta := [...]float32{0, 1, float32(rng.NormFloat64())}[rng.IntN(3)]
		tc := newCase(rng, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, beta, 4)
		if beta == 0 {
			// gonum reads C even when beta is 0 (0*NaN is NaN), so give it
			// numbers to compare on.
			for i := range tc.c0 {
				if tc.c0[i] != tc.c0[i] && math.Float32bits(tc.c0[i]) != math.Float32bits(guard) {
					tc.c0[i] = 1
				}
			}
		}
		// gonum wants the leading rows of a matrix with no columns (k = 0).
		tc.a = padTo(tc.a, tc.lda, tA != blas.NoTrans, k, m)
		tc.b = padTo(tc.b, tc.ldb, tB != blas.NoTrans, n, k)
		ours := append([]float32(nil), tc.c0...)
		theirs := append([]float32(nil), tc.c0...)
		Implementation{}.Sgemm(tA, tB, m, n, k, alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, ours[guardLen:], tc.ldc)
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, theirs[guardLen:], tc.ldc)
		tol := 4 * float64(k+2) * 0x1p-24
		for i := range ours {
			d := math.Abs(float64(ours[i]) - float64(theirs[i]))
			if math.Float32bits(ours[i]) != math.Float32bits(theirs[i]) && !(d <= tol*(1+math.Abs(float64(theirs[i])))*math.Sqrt(float64(k+1))) {
				t.Fatalf("%v tA=%c tB=%c: element %d is %g, gonum has %g", tc, tA, tB, i, ours[i], theirs[i])
			}
		}
	}
}

// TestImplementationPanics checks that bad arguments panic with gonum's
// messages.
func TestImplementationPanics(t *testing.T) {
	s := make([]float32, 12)
	cases := []struct {
		name                      string
		tA, tB                    blas.Transpose
		m, n, k, lda, ldb, ldc, l int
	}{
		{"transpose", 'x', blas.NoTrans, 2, 2, 2, 2, 2, 2, 12},
		{"m", blas.NoTrans, blas.NoTrans, -1, 2, 2, 2, 2, 2, 12},
		{"n", blas.NoTrans, blas.NoTrans, 2, -1, 2, 2, 2, 2, 12},
		{"k", blas.NoTrans, blas.NoTrans, 2, 2, -1, 2, 2, 2, 12},
		{"lda", blas.NoTrans, blas.NoTrans, 2, 2, 3, 2, 2, 2, 12},
		{"lda trans", blas.Trans, blas.NoTrans, 3, 2, 2, 2, 2, 2, 12},
		{"ldb", blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 2, 3, 12},
		{"ldb trans", blas.NoTrans, blas.Trans, 2, 2, 3, 3, 2, 2, 12},
		{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 3, 2, 12},
		{"short", blas.NoTrans, blas.NoTrans, 3, 3, 3, 3, 3, 3, 8},
		{"short k=0", blas.NoTrans, blas.NoTrans, 3, 2, 0, 5, 2, 2, 9},
	}
	catch := func(f func()) (msg any) {
		defer func() { msg = recover() }()
		f()
		return nil
	}
	for _, c := range cases {
		l := c.l
		call := func(impl blas.Float32) func() {
			return func() {
				impl.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, s[:l], c.lda, s[:l], c.ldb, 0, make([]float32, l), c.ldc)
			}
		}
		ours, theirs := catch(call(Implementation{})), catch(call(gonum.Implementation{}))
		if theirs == nil || ours != theirs {
			t.Errorf("%s: panic %v, gonum's is %v", c.name, ours, theirs)
		}
	}
}

// padTo lengthens s, which holds a matrix stored rows x cols (cols x rows
// when trans), to the length gonum requires of it.
func padTo(s []float32, ld int, trans bool, rows, cols int) []float32 {
	if !trans {
		rows, cols = cols, rows
	}
	for len(s) < (rows-1)*ld+cols {
		s = append(s, float32(math.NaN()))
	}
	return s
}
