//go:build !purego

package rows

import "golang.org/x/sys/cpu"

// addRowsAVX512 and copyRowsAVX512 are Add and Copy on raw pointers, for
// rows >= 1 and w >= 1.
//
//go:noescape
func addRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, w int)

//go:noescape
func copyRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, w int)

// stridedAVX512 is Strided on raw pointers, n >= 1, src holding srcLen
// elements: sixteen at a time, by permutes for strides up to 4, else by
// VGATHERDPS, whose int32 indices i*stride, i < 16, fit.
//
//go:noescape
func stridedAVX512(dst, src *float32, n, stride, srcLen int)

func init() {
	if cpu.X86.HasAVX512F {
		addRows = checkedRows(addRowsAVX512)
		copyRows = checkedRows(copyRowsAVX512)
		generic := strided
		strided = func(dst, src []float32, stride int) {
			if len(dst) == 0 {
				return
			}
			_ = src[(len(dst)-1)*stride]
			if stride < 1 || stride > 1<<20 {
				generic(dst, src, stride)
				return
			}
			stridedAVX512(&dst[0], &src[0], len(dst), stride, len(src))
		}
	}
}

// checkedRows wraps a row kernel in the bounds checks its pointers skip.
func checkedRows(kernel func(dst *float32, ldd int, src *float32, lds int, rows, w int)) func(dst []float32, ldd int, src []float32, lds, rows, w int) {
	return func(dst []float32, ldd int, src []float32, lds, rows, w int) {
		if rows == 0 || w == 0 {
			return
		}
		_, _ = dst[(rows-1)*ldd+w-1], src[(rows-1)*lds+w-1]
		kernel(&dst[0], ldd, &src[0], lds, rows, w)
	}
}
