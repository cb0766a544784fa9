package tensor

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor/gemm"
)

// Gemm hands products that share A and each have their own C (a
// convolution's forward and column gradient over a batch) to
// gemm.SgemmBatch, which packs A once and gives the workers whole
// products. Anything else runs one product at a time, gemm.Sgemm splitting
// each over the workers; in summing mode each product adds to the C the
// ones before it wrote.
func (d *cpuDevice) Gemm(g *GemmArgs) {
	as, bs, cs := f32(g.A), f32(g.B), f32(g.C)
	batch := max(g.Batch, 1)
	w := gemm.Workers(d.workers)
	sgemm, sgemmBatch := w.Sgemm, w.SgemmBatch
	if g.Precision == BF16 {
		sgemm, sgemmBatch = w.SgemmBF16, w.SgemmBatchBF16
	}
	if g.StrideA == 0 && g.StrideC != 0 {
		sgemmBatch(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, as, g.LDA, bs, g.LDB, g.StrideB, g.Beta, cs, g.LDC, g.StrideC, batch)
		return
	}
	beta := g.Beta
	for i := range batch {
		c := cs[i*g.StrideC:]
		sgemm(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, as[i*g.StrideA:], g.LDA, bs[i*g.StrideB:], g.LDB, beta, c, g.LDC)
		if g.StrideC == 0 {
			// Summing mode: every later product accumulates into the one C.
			beta = 1
		}
	}
}

// GemmPrecision runs both precisions: BF16 on AMX tiles or AVX512_BF16
// kernels, or with VDPBF16PS's results on a pure-Go kernel where the CPU
// has neither.
func (d *cpuDevice) GemmPrecision(p Precision) (string, error) {
	switch p {
	case FP32:
		return "", nil
	case BF16:
		if gemm.HasBF16Instructions() {
			return "", nil
		}
		return "this CPU lacks AMX and AVX512_BF16: bf16 products run on the pure-Go kernel, many times slower than fp32's", nil
	}
	return "", fmt.Errorf("cpu: no products in %v", p)
}
