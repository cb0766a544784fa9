//go:build openblas

// Package openblas binds the system's OpenBLAS SGEMM through cgo as a gonum
// blas.Float32, so that benchmarks time it beside tensorforge's own
// (gemm.Implementation) through the same interface, in one run. It is
// built only with the openblas tag and needs OpenBLAS's headers and
// library (Debian: libopenblas-dev).
package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
// Declared again: the generic cblas.h the alternatives system may pick
// lacks OpenBLAS's own functions.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is a blas.Float32 whose Sgemm is OpenBLAS's cblas_sgemm;
// every other routine is gonum's. Its Sgemm does not check its arguments
// beyond what OpenBLAS does: the benchmarks and tests that use it pass
// what gonum's would accept.
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float32 = Implementation{}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices,
// with gonum's conventions.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	C.cblas_sgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), ptr(a), C.blasint(lda), ptr(b), C.blasint(ldb), C.float(beta), ptr(c), C.blasint(ldc))
}

// SetThreads sets how many threads OpenBLAS splits a product over.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// Threads returns how many threads OpenBLAS splits a product over.
func Threads() int { return int(C.openblas_get_num_threads()) }

func trans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

// ptr returns the address of s's first element, or nil for an empty s (k
// of 0 reads neither A nor B).
func ptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}
