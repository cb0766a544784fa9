package bench

import (
	"fmt"

	"github.com/tensorforge/tensorforge/internal/gemmshapes"
	"github.com/tensorforge/tensorforge/tensor"
)

// GemmCases returns one Case per shape of gemmshapes.All, each a single
// tensor.Gemm in precision p.
func GemmCases(p tensor.Precision) []Case {
	cases := make([]Case, len(gemmshapes.All))
	for i, s := range gemmshapes.All {
		cases[i] = gemmCase(s, p)
	}
	return cases
}

func gemmCase(s gemmshapes.Shape, p tensor.Precision) Case {
	return Case{
		Family: "Gemm",
		Name:   s.Name,
		Shape:  fmt.Sprintf("%dx%dx%d", s.M, s.N, s.K),
		FLOPs:  s.FLOPs(),
		Setup:  func(dev tensor.Device) (step, free func(), err error) { return gemmSetup(s, p, dev) },
	}
}

func gemmSetup(s gemmshapes.Shape, p tensor.Precision, dev tensor.Device) (step, free func(), err error) {
	a := tensor.Zeros(dev, s.M, s.K)
	b := tensor.Zeros(dev, s.K, s.N)
	c := tensor.Zeros(dev, s.M, s.N)
	free = func() { a.Free(); b.Free(); c.Free() }
	// Constant operands: the speed of a GEMM does not depend on the values
	// (short of denormals), and filling on the device is much faster than
	// uploading random numbers for the 830 MB conv2-b128 operand. Every
	// element of C comes out as 1.
	tensor.Fill(a, 1)
	tensor.Fill(b, 1/float32(s.K))
	if err := dev.Sync(); err != nil {
		free()
		return nil, nil, err
	}
	g := tensor.GemmArgs{M: s.M, N: s.N, K: s.K, Alpha: 1, A: a, LDA: s.K, B: b, LDB: s.N, C: c, LDC: s.N, Precision: p}
	return func() { tensor.Gemm(&g) }, free, nil
}
