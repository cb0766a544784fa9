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

func init() {
	if cpu.X86.HasAVX512F {
		sigmoidSpan = func(x, y []float32) {
			if len(x) > 0 {
				_ = y[len(x)-1]
				sigmoidAVX512(&x[0], &y[0], len(x))
			}
		}
	}
}
