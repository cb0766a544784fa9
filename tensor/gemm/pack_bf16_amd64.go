//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// pairRowsAVX512 is pairRows on raw pointers, nr a multiple of 16.
//
//go:noescape
func pairRowsAVX512(dst *float32, ps int, src0, src1 *float32, panels, nr int)

// pairsAVX512 is pairs on raw pointers, n a multiple of 16.
//
//go:noescape
func pairsAVX512(dst, src *float32, n int)

func init() {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX512BW || !cpu.X86.HasAVX512BF16 {
		return
	}
	generic := pairRows
	pairRows = func(dst []float32, ps int, src0, src1 []float32, panels, nr int) {
		if panels == 0 {
			return
		}
		if nr%16 != 0 {
			generic(dst, ps, src0, src1, panels, nr)
			return
		}
		_, _, _ = dst[(panels-1)*ps+nr-1], src0[panels*nr-1], src1[panels*nr-1]
		pairRowsAVX512(&dst[0], ps, &src0[0], &src1[0], panels, nr)
	}
	genericPairs := pairs
	pairs = func(dst, src []float32, n int) {
		whole := n &^ 15
		if whole > 0 {
			_, _ = dst[whole-1], src[2*whole-1]
			pairsAVX512(&dst[0], &src[0], whole)
		}
		if whole < n {
			genericPairs(dst[whole:], src[2*whole:], n-whole)
		}
	}
}
