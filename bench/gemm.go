package bench

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// gemmShape is one row-major product C[M,N] = A[M,K] * B[K,N].
type gemmShape struct {
	name    string
	m, n, k int
}

// gemmShapes are the squares every BLAS is compared on, then AlexNet's
// im2col products as ANCHORS.md lists them for OpenBLAS, BLIS and gonum:
// M output channels, N output pixels (times images for b128), K input
// channels times kernel area; fc1 is the first Linear at batch 128.
var gemmShapes = []gemmShape{
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

// GemmCases returns one Case per shape, each a single tensor.Gemm.
func GemmCases() []Case {
	cases := make([]Case, len(gemmShapes))
	for i, s := range gemmShapes {
		cases[i] = s.toCase()
	}
	return cases
}

func (s gemmShape) toCase() Case {
	return Case{
		Family: "Gemm",
		Name:   s.name,
		Shape:  fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k),
		FLOPs:  2 * float64(s.m) * float64(s.n) * float64(s.k),
		Setup:  s.setup,
	}
}

func (s gemmShape) setup(dev tensor.Device) (step, free func(), err error) {
	a := tensor.Zeros(dev, s.m, s.k)
	b := tensor.Zeros(dev, s.k, s.n)
	c := tensor.Zeros(dev, s.m, s.n)
	free = func() { a.Free(); b.Free(); c.Free() }
	// Constant operands: the speed of a GEMM does not depend on the values
	// (short of denormals), and filling on the device is much faster than
	// uploading random numbers for the 830 MB conv2-b128 operand. Every
	// element of C comes out as 1.
	tensor.Fill(a, 1)
	tensor.Fill(b, 1/float32(s.k))
	if err := dev.Sync(); err != nil {
		free()
		return nil, nil, err
	}
	return func() { tensor.MatMul(c, 1, a, false, b, false, 0) }, free, nil
}
