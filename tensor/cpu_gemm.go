package tensor

import "github.com/tensorforge/tensorforge/tensor/gemm"

// Gemm runs the batch one product at a time: gemm.Sgemm already splits each
// product over the workers, and the batches a model runs (a convolution's
// images) are large products.
func (cpuDevice) Gemm(g *GemmArgs) {
	as, bs, cs := f32(g.A), f32(g.B), f32(g.C)
	beta := g.Beta
	for i := range max(g.Batch, 1) {
		c := cs[i*g.StrideC:]
		gemm.Sgemm(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, as[i*g.StrideA:], g.LDA, bs[i*g.StrideB:], g.LDB, beta, c, g.LDC)
		if g.StrideC == 0 {
			// Summing mode: every later product accumulates into the one C.
			beta = 1
		}
	}
}
