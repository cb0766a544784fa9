//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run -C _gen . -out ../kernel_amd64.s

// The AVX-512 kernels compute the top-left RxC corner of a 12x32 tile
// (kernelRxC) from R rows of A and 32 columns of B, keeping
// the corner in zmm accumulators and taking A's elements by embedded
// broadcast, so the 12x32 kernel uses 24 accumulators and no register for
// A. They store the first rows rows of the corner and, of each row's last
// 16 columns, only the lanes set in mask.

//go:noescape
func kernel12x32(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

//go:noescape
func kernel12x16(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

//go:noescape
func kernel8x32(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

//go:noescape
func kernel8x16(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

//go:noescape
func kernel4x32(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

//go:noescape
func kernel4x16(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

// kernelAVX2 computes a 6x16 tile with 12 ymm accumulators.
//
//go:noescape
func kernelAVX2(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, pf, pfEnd uintptr)

// asmKernels returns the assembly kernels this CPU supports, fastest first.
func asmKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}

// The wrappers check the bounds the assembly cannot.

var avx512Kernel = &kernel{
	name: "avx512", mr: 12, nr: 32, partRows: 4,
	full: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr) {
		_, _, _ = a[11*ars+(k-1)*acs], b[(k-1)*ldb+31], c[11*ldc+31]
		kernel12x32(k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, alpha, beta, 12, 0xffff, pf, pfEnd)
	},
	// An edge tile goes straight to C under a row count and a lane mask,
	// through the smallest kernel that covers it.
	part: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, rows, cols int, pf, pfEnd uintptr) {
		size := (rows - 1) / 4 // the kernel reads 4*(size+1) rows of A
		_, _, _ = a[(4*size+3)*ars+(k-1)*acs], b[(k-1)*ldb+31], c[(rows-1)*ldc+cols-1]
		half, last := 0, cols-16 // last: columns in the last 16
		if cols <= 16 {
			half, last = 1, cols
		}
		mask := uint64(1)<<last - 1
		edgeKernels[size][half](k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, alpha, beta, rows, mask, pf, pfEnd)
	},
}

// edgeKernels[r][h] covers 4(r+1) rows and 32 columns, or 16 when h is 1.
var edgeKernels = [3][2]func(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr){
	{kernel4x32, kernel4x16},
	{kernel8x32, kernel8x16},
	{kernel12x32, kernel12x16},
}

var avx2Kernel = &kernel{
	name: "avx2", mr: 6, nr: 16,
	full: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr) {
		_, _, _ = a[5*ars+(k-1)*acs], b[(k-1)*ldb+15], c[5*ldc+15]
		kernelAVX2(k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, alpha, beta, pf, pfEnd)
	},
}
