// Package gemmshapes lists the matrix products the GEMM benchmarks time,
// so that tensor/gemm's own benchmarks and the bench package (which puts
// the CPU and the GPU side by side) measure the same ones.
package gemmshapes

// Shape is one row-major product C[M,N] = A[M,K] * B[K,N].
type Shape struct {
	Name    string
	M, N, K int
}

// FLOPs returns the product's arithmetic, a multiply-add counted as two.
func (s Shape) FLOPs() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// All are the squares every BLAS is compared on, then AlexNet's im2col
// products as ANCHORS.md lists them for OpenBLAS, BLIS and gonum: M output
// channels, N output pixels (times images for b128), K input channels
// times kernel area; fc1 is the first Linear at batch 128.
var All = []Shape{
	{"square-128", 128, 128, 128},
	{"square-256", 256, 256, 256},
	{"square-512", 512, 512, 512},
	{"square-1024", 1024, 1024, 1024},
	{"square-2048", 2048, 2048, 2048},
	{"conv1-b1", 96, 2916, 121},
	{"conv2-b1", 256, 676, 2400},
	{"conv3-b1", 384, 144, 2304},
	{"fc1-b128", 128, 4096, 6400},
	{"conv2-b128", 256, 86528, 2400},
	{"conv3-b128", 384, 18432, 2304},
}
