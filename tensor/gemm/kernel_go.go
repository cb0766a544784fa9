package gemm

// goKernel is the portable micro-kernel. Its 4x4 tile keeps the sixteen
// accumulators in named variables so the compiler can hold them in
// registers across the k loop.
var goKernel = &kernel{name: "go", mr: 4, nr: 4, full: kernelGo}

func kernelGo(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	a, b = a[:4*k], b[:4*k]
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for p := 0; p < 4*k; p += 4 {
		ap, bp := a[p:p+4:p+4], b[p:p+4:p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow(c[:4], c00, c01, c02, c03, alpha, beta)
	storeRow(c[ldc:ldc+4], c10, c11, c12, c13, alpha, beta)
	storeRow(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	storeRow(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// storeRow writes one row of the pure-Go kernel's tile.
func storeRow(c []float32, v0, v1, v2, v3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	c[0] = alpha*v0 + beta*c[0]
	c[1] = alpha*v1 + beta*c[1]
	c[2] = alpha*v2 + beta*c[2]
	c[3] = alpha*v3 + beta*c[3]
}
