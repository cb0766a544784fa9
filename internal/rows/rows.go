// Package rows copies and adds runs of equally long, equally spaced rows of
// float32s: what im2col, col2im and the implicit convolution's gather do
// with the rows of an image plane, a row at a time too short for a memmove
// call to pay; and copies every stride-th element of a row, as a strided
// convolution's gather reads one. Assembly does it where the CPU has AVX-512, a loop
// elsewhere (and with the purego build tag). Every function is safe for
// concurrent use on distinct destinations.
package rows

// Copy sets dst[r*ldd+j] = src[r*lds+j] for r < n and j < w.
func Copy(dst []float32, ldd int, src []float32, lds, n, w int) { copyRows(dst, ldd, src, lds, n, w) }

// Add sets dst[r*ldd+j] += src[r*lds+j] for r < n and j < w.
func Add(dst []float32, ldd int, src []float32, lds, n, w int) { addRows(dst, ldd, src, lds, n, w) }

// Strided sets dst[i] = src[i*stride] for i < len(dst): a row of every
// stride-th element, as a strided convolution reads its image.
func Strided(dst, src []float32, stride int) { strided(dst, src, stride) }

// copyRows, addRows and strided are Copy, Add and Strided: these loops,
// or the assembly that replaces them where the CPU has it.
var (
	copyRows = func(dst []float32, ldd int, src []float32, lds, n, w int) {
		for r := range n {
			copy(dst[r*ldd:r*ldd+w], src[r*lds:r*lds+w])
		}
	}
	addRows = func(dst []float32, ldd int, src []float32, lds, n, w int) {
		for r := range n {
			d, s := dst[r*ldd:r*ldd+w], src[r*lds:r*lds+w]
			for j, v := range s {
				d[j] += v
			}
		}
	}
	strided = func(dst, src []float32, stride int) {
		for i := range dst {
			dst[i] = src[i*stride]
		}
	}
)
