//go:build !purego

package peak

import "golang.org/x/sys/cpu"

// Implemented in fma_amd64.s. Each iteration issues 24 (zmm) or 12 (ymm)
// VFMADD231PS on independent accumulators: enough chains to cover the FMA
// latency (4 cycles) times the FMA ports (2) of current x86 cores. iters
// must be positive.
func fmaZMM(iters int)
func fmaYMM(iters int)

// available lists the kernels this CPU runs, widest first.
func available() []fmaKernel {
	var ks []fmaKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, fmaKernel{name: "avx512", run: fmaZMM, flopsPerIter: 24 * 16 * 2})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, fmaKernel{name: "avx2", run: fmaYMM, flopsPerIter: 12 * 8 * 2})
	}
	return append(ks, goKernel)
}
