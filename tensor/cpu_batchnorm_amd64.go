//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// The AVX-512 passes of batch normalisation (cpu_batchnorm_amd64.s), on
// raw pointers: the Go versions' loops, sixteen values a step, with the
// same bits. n and s are at least 1.

//go:noescape
func bnSumAVX512(x *float32, s, stride, n int) float64

//go:noescape
func bnSquaredDevAVX512(x *float32, s, stride, n int, mean float64) float64

//go:noescape
func bnSumsDYAVX512(dy, x *float32, s, stride, n int, mean float64) (sum, sumX float64)

//go:noescape
func bnNormalizeAVX512(y, x *float32, s, stride, n int, mean, k, shift float32)

//go:noescape
func bnDataGradAVX512(dx, dy, x *float32, s, stride, n int, c *bnGradConsts)

func init() {
	if !cpu.X86.HasAVX512F {
		return
	}
	// spans checks that the n spans of s values stride apart lie in each
	// of xs, as the Go versions' slicing would.
	spans := func(s, stride, n int, xs ...[]float32) bool {
		for _, x := range xs {
			_ = x[(n-1)*stride+s-1]
		}
		return n > 0 && s > 0
	}
	bnSum = func(x []float32, s, stride, n int) float64 {
		if !spans(s, stride, n, x) {
			return 0
		}
		return bnSumAVX512(&x[0], s, stride, n)
	}
	bnSquaredDev = func(x []float32, s, stride, n int, mean float64) float64 {
		if !spans(s, stride, n, x) {
			return 0
		}
		return bnSquaredDevAVX512(&x[0], s, stride, n, mean)
	}
	bnSumsDY = func(dy, x []float32, s, stride, n int, mean float64) (float64, float64) {
		if !spans(s, stride, n, dy, x) {
			return 0, 0
		}
		return bnSumsDYAVX512(&dy[0], &x[0], s, stride, n, mean)
	}
	bnNormalize = func(y, x []float32, s, stride, n int, mean, k, shift float32) {
		if spans(s, stride, n, y, x) {
			bnNormalizeAVX512(&y[0], &x[0], s, stride, n, mean, k, shift)
		}
	}
	bnDataGrad = func(dx, dy, x []float32, s, stride, n int, c bnGradConsts) {
		if spans(s, stride, n, dx, dy, x) {
			bnDataGradAVX512(&dx[0], &dy[0], &x[0], s, stride, n, &c)
		}
	}
}
