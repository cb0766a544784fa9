//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// pairRowsAVX512 is pairRows on raw pointers, nr a multiple of 16.
//
//go:noescape
func pairRowsAVX512(dst *float32, ps int, src0, src1 *float32, panels, nr int)

// pairs16AVX512 and pairs4AVX512 are pairs16 and pairs4 on raw pointers,
// n a multiple of 16.
//
//go:noescape
func pairs16AVX512(dst *float32, ldd int, src *float32, lds int, n int)

//go:noescape
func pairs4AVX512(dst *float32, ldd int, src *float32, lds int, n int)

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
	pairs16 = pairsAVX512(pairs16AVX512, 16)
	pairs4 = pairsAVX512(pairs4AVX512, 4)
}

// pairsAVX512 wraps one of the assembly pair transposes of rows rows (at
// most 16): it takes the whole blocks of 16 pairs, and a last, partial
// block through a zero-padded copy. A 144-step slice (AlexNet's conv3-5
// weight gradient) leaves 8 of its 72 pairs to it: measured on Zen 4,
// pairs16 of 72 pairs took 254-259 ns this way, 580-584 ns with the last 8
// converted one by one (results/cpu/2026-12-07-zen4-implicit).
func pairsAVX512(asm func(dst *float32, ldd int, src *float32, lds int, n int), rows int) func([]float32, int, []float32, int, int) {
	return func(dst []float32, ldd int, src []float32, lds, n int) {
		whole := n &^ 15
		if whole > 0 {
			_, _ = dst[(whole-1)*ldd+rows-1], src[(rows-1)*lds+2*whole-1]
			asm(&dst[0], ldd, &src[0], lds, whole)
		}
		if whole < n {
			var in [16 * 32]float32
			var out [16 * 16]float32
			tail := n - whole
			for i := range rows {
				copy(in[i*32:i*32+2*tail], src[i*lds+2*whole:])
			}
			asm(&out[0], rows, &in[0], 32, 16)
			for q := range tail {
				copy(dst[(whole+q)*ldd:][:rows], out[q*rows:][:rows])
			}
		}
	}
}
