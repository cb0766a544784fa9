// Package gemm is the CPU single-precision matrix multiply: a BLIS-style
// blocked SGEMM with packed panels, register-tiled micro-kernels in
// assembly for AVX-512 and AVX2+FMA (picked at run time, pure Go
// elsewhere or with the purego build tag), split over the workers of
// internal/parallel.
package gemm

import "fmt"

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices:
// op(A) is m x k, op(B) is k x n, C is m x n; with transA, A is stored
// k x m. lda, ldb and ldc are the distances between stored rows.
// When beta is 0, C is only written, so it may hold anything (NaN too);
// when alpha is 0 or k is 0, A and B are not read.
// It panics if a size is negative, a leading dimension is smaller than its
// row, or a slice is too short.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k // A as stored
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("a", a, ar, ac, lda)
	checkMatrix("b", b, br, bc, ldb)
	checkMatrix("c", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(c, m, n, ldc, beta)
		return
	}
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkMatrix panics unless s can hold a rows x cols matrix whose rows are
// ld apart.
func checkMatrix(name string, s []float32, rows, cols, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s = %d, want >= %d for a %dx%d matrix", name, ld, max(1, cols), rows, cols))
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: len(%s) = %d, want >= %d for a %dx%d matrix with ld%s %d", name, len(s), (rows-1)*ld+cols, rows, cols, name, ld))
	}
}

// scale sets C = beta*C, writing zeros without reading C when beta is 0.
func scale(c []float32, m, n, ldc int, beta float32) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
