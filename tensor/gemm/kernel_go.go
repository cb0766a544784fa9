package gemm

// goKernel is the portable micro-kernel, a 4x4 tile.
var goKernel = &kernel{name: "go", mr: 4, nr: 4, full: kernelGo}

// kernelGo runs the k loop once per pair of rows: eight accumulators and
// the six values of a step are all the compiler keeps in registers without
// spilling (amd64 gives it 15), and the second pass finds B in L1. Go
// has no prefetch, so it ignores the prefetch range.
func kernelGo(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, _, _ uintptr) {
	a, b = a[:3*ars+(k-1)*acs+1], b[:(k-1)*ldb+4]
	for i := 0; i < 4; i += 2 {
		var c0, c1, c2, c3, d0, d1, d2, d3 float32
		ia, ib := i*ars, 0
		for range k {
			a0, a1 := a[ia], a[ia+ars]
			bp := b[ib : ib+4 : ib+4]
			// One element of B at a time, used by both rows at once,
			// keeps the compiler from spilling the other three.
			t := bp[0]
			c0 += a0 * t
			d0 += a1 * t
			t = bp[1]
			c1 += a0 * t
			d1 += a1 * t
			t = bp[2]
			c2 += a0 * t
			d2 += a1 * t
			t = bp[3]
			c3 += a0 * t
			d3 += a1 * t
			ia += acs
			ib += ldb
		}
		storeRow(c[i*ldc:i*ldc+4], c0, c1, c2, c3, alpha, beta)
		storeRow(c[(i+1)*ldc:(i+1)*ldc+4], d0, d1, d2, d3, alpha, beta)
	}
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
