//go:build !purego

package peak

import "golang.org/x/sys/cpu"

// Implemented in fma_amd64.s. Each iteration issues 24 (zmm) or 12 (ymm)
// VFMADD231PS on independent accumulators: enough chains to cover the FMA
// latency (4 cycles) times the FMA ports (2) of current x86 cores. iters
// must be positive.
func fmaZMM(iters int)
func fmaYMM(iters int)

// Implemented in fma_amd64.s: 24 VDPBF16PS on independent accumulators an
// iteration, each two products a lane. iters must be positive.
func dotBF16ZMM(iters int)

// available lists the FMA kernels this CPU runs, widest first, and its
// bfloat16 kernel, nil without AVX512_BF16.
func available() ([]fmaKernel, *fmaKernel) {
	var bf16 *fmaKernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BF16 {
		bf16 = &fmaKernel{name: "avx512-bf16", run: dotBF16ZMM, flopsPerIter: 24 * 16 * 4}
	}
	var ks []fmaKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, fmaKernel{name: "avx512", run: fmaZMM, flopsPerIter: 24 * 16 * 2})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, fmaKernel{name: "avx2", run: fmaYMM, flopsPerIter: 12 * 8 * 2})
	}
	return append(ks, goKernel), bf16
}
