//go:build !purego

package gemm

import (
	"golang.org/x/sys/cpu"

	"github.com/tensorforge/tensorforge/internal/amx"
	"github.com/tensorforge/tensorforge/internal/cpucache"
)

//go:generate go run -C _gen . -out ../kernel_amd64.s -decl ../kernel_decl_amd64.go

// The assembly kernels (declared in kernel_decl_amd64.go, both files
// written by gemmgen):
//   - kernelRxC, AVX-512: the top-left RxC corner of a 12x32 tile from R
//     rows of A and 32 columns of B, the corner in zmm accumulators and
//     A's elements taken by embedded broadcast, so the 12x32 kernel uses
//     24 accumulators and no register for A. They store the first rows
//     rows of the corner and, of each row's last 16 columns, only the
//     lanes set in mask.
//   - kernelRegBcastRxC: the same with each of A's elements broadcast into
//     a register of its own, which the row's FMAs then read: the same FMAs
//     in the same order, so the same bits.
//   - kernelBF16xRxC: the same on panels of bfloat16 pairs (k counts
//     pairs), each pair of A broadcast to a register and multiplied with
//     VDPBF16PS.
//   - kernelAVX2: a 6x16 tile with 12 ymm accumulators.
//   - kernelAMXStrip: tiles of C on AMX (amx_amd64.go).

// asmKernels returns the assembly kernels this CPU supports, fastest first.
func asmKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernels(cpucache.Vendor())...)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}

// asmBF16Kernels returns the BF16 assembly kernels this CPU supports,
// fastest first.
func asmBF16Kernels() []*kernel {
	var ks []*kernel
	if amx.Usable() {
		ks = append(ks, amxKernel)
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BF16 {
		ks = append(ks, avx512BF16Kernel)
	}
	return ks
}

// avx512Kernels orders the two AVX-512 FP32 kernels for a CPU vendor. On
// Intel, whose cores take each embedded broadcast as a load of its own,
// broadcasting into registers measured faster: 180-188 GFLOP/s a core
// against 163-170 with panels in L1, and 1.05-1.2x on the GEMMs of the
// benchmark list (a Xeon with AMX, family 6, results/cpu/2026-12-08-xeon).
// AMD's Zen 4 and Zen 5 keep the embedded broadcasts their figures were
// measured with.
func avx512Kernels(vendor string) []*kernel {
	if vendor == "GenuineIntel" {
		return []*kernel{avx512RegBcastKernel, avx512Kernel}
	}
	return []*kernel{avx512Kernel, avx512RegBcastKernel}
}

// maskedKernel is the signature of the AVX-512 kernels.
type maskedKernel = func(k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint64, pf, pfEnd uintptr)

var (
	avx512Kernel = newAVX512("avx512", [3][2]maskedKernel{
		{kernel4x32, kernel4x16}, {kernel8x32, kernel8x16}, {kernel12x32, kernel12x16},
	}, false)
	avx512RegBcastKernel = newAVX512("avx512-regbcast", [3][2]maskedKernel{
		{kernelRegBcast4x32, kernelRegBcast4x16}, {kernelRegBcast8x32, kernelRegBcast8x16}, {kernelRegBcast12x32, kernelRegBcast12x16},
	}, false)
	avx512BF16Kernel = newAVX512("avx512-bf16", [3][2]maskedKernel{
		{kernelBF16x4x32, kernelBF16x4x16}, {kernelBF16x8x32, kernelBF16x8x16}, {kernelBF16x12x32, kernelBF16x12x16},
	}, true)
)

// newAVX512 returns the 12x32 kernel of the family edges, where
// edges[r][h] covers 4(r+1) rows and 32 columns, or 16 when h is 1. The
// wrappers check the bounds the assembly cannot.
func newAVX512(name string, edges [3][2]maskedKernel, bf16 bool) *kernel {
	return &kernel{
		name: name, mr: 12, nr: 32, partRows: 4, bf16: bf16,
		full: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr) {
			_, _, _ = a[11*ars+(k-1)*acs], b[(k-1)*ldb+31], c[11*ldc+31]
			edges[2][0](k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, alpha, beta, 12, 0xffff, pf, pfEnd)
		},
		// An edge tile goes straight to C under a row count and a lane
		// mask, through the smallest kernel that covers it.
		part: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, rows, cols int, pf, pfEnd uintptr) {
			size := (rows - 1) / 4 // the kernel reads 4*(size+1) rows of A
			_, _, _ = a[(4*size+3)*ars+(k-1)*acs], b[(k-1)*ldb+31], c[(rows-1)*ldc+cols-1]
			half, last := 0, cols-16 // last: columns in the last 16
			if cols <= 16 {
				half, last = 1, cols
			}
			mask := uint64(1)<<last - 1
			edges[size][half](k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, alpha, beta, rows, mask, pf, pfEnd)
		},
	}
}

var avx2Kernel = &kernel{
	name: "avx2", mr: 6, nr: 16,
	full: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr) {
		_, _, _ = a[5*ars+(k-1)*acs], b[(k-1)*ldb+15], c[5*ldc+15]
		kernelAVX2(k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, alpha, beta, pf, pfEnd)
	},
}
