//go:build !purego

package gemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// transpose4AVX is transpose4 on raw pointers.
//
//go:noescape
func transpose4AVX(dst *float32, ldd int, src *float32, lds int, n int)

// transpose16AVX512 is transpose16 on raw pointers for n a multiple of 16.
//
//go:noescape
func transpose16AVX512(dst *float32, ldd int, src *float32, lds int, n int)

// copyRowsAVX is copyRows on raw pointers.
//
//go:noescape
func copyRowsAVX(dst *float32, ldd int, src *float32, lds int, rows, w, ahead int)

// prefetchL2Rows is prefetchL2 on a raw address: PREFETCHT1, which every
// x86-64 has.
//
//go:noescape
func prefetchL2Rows(p uintptr, stride, rows, length int)

func init() {
	prefetchL2 = func(src []float32, lds, rows, w int) {
		if rows > 0 && w > 0 {
			prefetchL2Rows(uintptr(unsafe.Pointer(unsafe.SliceData(src))), 4*lds, rows, 4*w)
		}
	}
	if cpu.X86.HasAVX {
		transpose4 = func(dst []float32, ldd int, src []float32, lds, n int) {
			if n == 0 {
				return
			}
			_, _ = dst[(n-1)*ldd+3], src[3*lds+n-1]
			transpose4AVX(&dst[0], ldd, &src[0], lds, n)
		}
		if cpu.X86.HasAVX512F {
			generic := transpose16
			transpose16 = func(dst []float32, ldd int, src []float32, lds, n int) {
				whole := n &^ 15
				if whole > 0 {
					_, _ = dst[(whole-1)*ldd+15], src[15*lds+whole-1]
					transpose16AVX512(&dst[0], ldd, &src[0], lds, whole)
				}
				if whole < n {
					generic(dst[whole*ldd:], ldd, src[whole:], lds, n-whole)
				}
			}
		}
		copyRows = func(dst []float32, ldd int, src []float32, lds, rows, w, ahead int) {
			if rows == 0 || w == 0 {
				return
			}
			_, _ = dst[(rows-1)*ldd+w-1], src[(rows-1)*lds+w-1]
			// A prefetch never faults, so ahead may point past src.
			copyRowsAVX(&dst[0], ldd, &src[0], lds, rows, w, 4*ahead)
		}
	}
}
