//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run -C _gen . -out ../kernel_amd64.s

// kernelAVX512 computes a 12x32 tile with 24 zmm accumulators, taking A's
// elements by embedded broadcast so no register is spent on them. It
// stores the first rows rows, and of each row's second 16 columns only
// those in mask.
//
//go:noescape
func kernelAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

// kernelAVX512Half is kernelAVX512 for the first 16 columns of the
// 32-wide panel only, with mask applying to them.
//
//go:noescape
func kernelAVX512Half(k int, a, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

// kernelAVX2 computes a 6x16 tile with 12 ymm accumulators.
//
//go:noescape
func kernelAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32, pf, pfEnd uintptr)

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
	name: "avx512", mr: 12, nr: 32,
	full: func(k int, a, b, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr) {
		_, _, _ = a[12*k-1], b[32*k-1], c[11*ldc+31]
		kernelAVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta, 12, 0xffff, pf, pfEnd)
	},
	// Edge tiles go straight to C under a row count and a lane mask; one
	// with at most 16 columns skips the FMAs of the other 16.
	part: func(k int, a, b, c []float32, ldc int, alpha, beta float32, rows, cols int, pf, pfEnd uintptr) {
		_, _, _ = a[12*k-1], b[32*k-1], c[(rows-1)*ldc+cols-1]
		if cols <= 16 {
			kernelAVX512Half(k, &a[0], &b[0], &c[0], ldc, alpha, beta, rows, 1<<cols-1, pf, pfEnd)
			return
		}
		kernelAVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta, rows, 1<<(cols-16)-1, pf, pfEnd)
	},
}

var avx2Kernel = &kernel{
	name: "avx2", mr: 6, nr: 16,
	full: func(k int, a, b, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr) {
		_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
		kernelAVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta, pf, pfEnd)
	},
}
