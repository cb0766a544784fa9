//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// sigmoidAVX512 writes 1/(1+e^-x[i]) to y[i] for i < n, sixteen at a
// time, in float32 (see SIGMOID in cpu_math_amd64.s): within 2 ulps of
// the float64 sigmoid's rounding, but for results below float32's normal
// range (x below about -87), which may come out 0.
//
//go:noescape
func sigmoidAVX512(x, y *float32, n int)

// reluMaskAVX512 and reluMaskBF16AVX512 are reluMaskF32 and reluMaskBF16
// on raw pointers to n elements, sixteen at a time: a compare into a mask
// register and a zeroing move. Over one image of AlexNet's conv4 input on
// Zen 4 the loops took 1.2 and 0.9 ns an element, these 0.13 and 0.10
// (results/cpu/2026-12-07-zen4-bf16-storage/relumask.txt).
//
//go:noescape
func reluMaskAVX512(z, y, x *float32, n int)

//go:noescape
func reluMaskBF16AVX512(z, y *float32, x *uint16, n int)

// addBiasAVX512 is addBias on a raw pointer to n elements.
//
//go:noescape
func addBiasAVX512(y *float32, n int, b float32, relu bool)

func init() {
	if cpu.X86.HasAVX512F {
		sigmoidSpan = func(x, y []float32) {
			if len(x) > 0 {
				_ = y[len(x)-1]
				sigmoidAVX512(&x[0], &y[0], len(x))
			}
		}
		addBias = func(y []float32, b float32, relu bool) {
			if len(y) > 0 {
				addBiasAVX512(&y[0], len(y), b, relu)
			}
		}
		reluMaskF32 = func(z, y, x []float32) {
			if len(x) > 0 {
				_, _ = z[len(x)-1], y[len(x)-1]
				reluMaskAVX512(&z[0], &y[0], &x[0], len(x))
			}
		}
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL {
		reluMaskBF16 = func(z, y []float32, x []uint16) {
			if len(x) > 0 {
				_, _ = z[len(x)-1], y[len(x)-1]
				reluMaskBF16AVX512(&z[0], &y[0], &x[0], len(x))
			}
		}
	}
}
