package gemm

// goBF16Kernel is the portable BF16 micro-kernel, a 4x4 tile of pairs: the
// fallback where the CPU lacks AMX and AVX512_BF16, giving VDPBF16PS's bits.
var goBF16Kernel = &kernel{name: "go-bf16", mr: 4, nr: 4, full: kernelGoBF16, bf16: true}

// kernelGoBF16 is kernelGo on panels of bfloat16 pairs (see dotBF16): k
// counts pairs of steps.
func kernelGoBF16(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, _, _ uintptr) {
	a, b = a[:3*ars+(k-1)*acs+1], b[:(k-1)*ldb+4]
	for i := range 4 {
		var c0, c1, c2, c3 float32
		ia, ib := i*ars, 0
		for range k {
			x := a[ia]
			bp := b[ib : ib+4 : ib+4]
			c0 = dotBF16(c0, x, bp[0])
			c1 = dotBF16(c1, x, bp[1])
			c2 = dotBF16(c2, x, bp[2])
			c3 = dotBF16(c3, x, bp[3])
			ia += acs
			ib += ldb
		}
		storeRow(c[i*ldc:i*ldc+4], c0, c1, c2, c3, alpha, beta)
	}
}
