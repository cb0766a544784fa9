//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// addRowsAVX512 is addRows on raw pointers, for rows >= 1 and w >= 1.
//
//go:noescape
func addRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, w int)

func init() {
	if cpu.X86.HasAVX512F {
		addRows = func(dst []float32, ldd int, src []float32, lds, rows, w int) {
			if rows == 0 || w == 0 {
				return
			}
			_, _ = dst[(rows-1)*ldd+w-1], src[(rows-1)*lds+w-1]
			addRowsAVX512(&dst[0], ldd, &src[0], lds, rows, w)
		}
	}
}
