// Package gemm is the CPU single-precision matrix multiply.
package gemm

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices:
// op(A) is m x k, op(B) is k x n, C is m x n; with transA, A is stored
// k x m. lda, ldb and ldc are the distances between stored rows.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// Reference loop, replaced by the blocked SIMD implementation.
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				av := a[i*lda+p]
				if transA {
					av = a[p*lda+i]
				}
				bv := b[p*ldb+j]
				if transB {
					bv = b[j*ldb+p]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
