package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is a gonum blas.Float32 whose Sgemm is this package's;
// every other routine is gonum's own. Install it with
// blas32.Use(gemm.Implementation{}) to speed up any gonum user of float32
// matrix products.
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float32 = Implementation{}

// gonum's panic messages, so callers see the same errors as from gonum.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C with gonum's conventions:
// row-major storage, tA and tB say whether A (stored k x m) and B (stored
// n x k) are transposed (ConjTrans is Trans for real matrices), and bad
// arguments panic with gonum's messages.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	aTrans, okA := isTrans(tA)
	bTrans, okB := isTrans(tB)
	switch {
	case !okA || !okB:
		panic(badTranspose)
	case m < 0:
		panic(mLT0)
	case n < 0:
		panic(nLT0)
	case k < 0:
		panic(kLT0)
	}
	ar, ac := stored(aTrans, m, k)
	br, bc := stored(bTrans, k, n)
	switch {
	case lda < max(1, ac):
		panic(badLdA)
	case ldb < max(1, bc):
		panic(badLdB)
	case ldc < max(1, n):
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return
	}
	// As gonum does, a matrix with no rows (k = 0) still needs the length
	// of its leading rows; short is its test of a rows x cols matrix.
	short := func(s []float32, rows, cols, ld int) bool { return len(s) < (rows-1)*ld+cols }
	switch {
	case short(a, ar, ac, lda):
		panic(shortA)
	case short(b, br, bc, ldb):
		panic(shortB)
	case short(c, m, n, ldc):
		panic(shortC)
	}
	Sgemm(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// isTrans reads a blas.Transpose; ok is false for an invalid one.
func isTrans(t blas.Transpose) (trans, ok bool) {
	switch t {
	case blas.NoTrans:
		return false, true
	case blas.Trans, blas.ConjTrans:
		return true, true
	}
	return false, false
}
