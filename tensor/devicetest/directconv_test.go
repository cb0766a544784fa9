package devicetest

import (
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// TestConvProblem checks the column matrices the direct-convolution cases
// build, and the GEMMs they are checked against, on the CPU's own
// convolution path (Im2col, Gemm, Col2im), so that a device failing those
// cases fails on its own account.
func TestConvProblem(t *testing.T) {
	cpu := tensor.CPU()
	c := &checker{t: t, dev: cpu, rng: rand.New(rand.NewPCG(1, 2))}
	for _, wc := range append(c.convCases(), windowCase{[4]int{3, 8, 17, 15}, tensor.Square(3, 2, 1)}) {
		t.Run(wc.String(), func(t *testing.T) {
			o := 1 + c.rng.IntN(5)
			cp := convOperands(c, wc, o)
			x := tensor.FromSlice(cpu, cp.x, wc.shape[:]...)
			w := tensor.FromSlice(cpu, cp.wt, o, cp.k)
			dy := tensor.FromSlice(cpu, cp.dy, cp.n, o, cp.oh, cp.ow)
			cols := tensor.Zeros(cpu, cp.n, cp.k, cp.p)
			tensor.Im2col(cols, x, wc.win)
			cc := &checker{t: t, dev: cpu, tol: Tolerances{Gemm: 1e-6, Other: 1e-6}, rng: c.rng}
			cc.near("cols", Floats(t, cols), wide64(cp.cols), 0)

			// Forward without the bias: the batched GEMM the case uses.
			y := tensor.Zeros(cpu, cp.n, o, cp.oh, cp.ow)
			g := tensor.GemmArgs{M: o, N: cp.p, K: cp.k, Alpha: 1, A: w, LDA: cp.k, B: cols, LDB: cp.p, StrideB: cp.k * cp.p,
				C: y, LDC: cp.p, StrideC: o * cp.p, Batch: cp.n}
			tensor.Gemm(&g)
			ref := g
			cc.near("y", Floats(t, y), GemmReference(&ref, cp.wt, cp.cols, nil, cp.n), 1e-6)

			// The data gradient: the case's weightT x dySpread against
			// the CPU's w^T x dy folded by Col2im.
			dcols := tensor.Zeros(cpu, cp.n, cp.k, cp.p)
			tensor.Gemm(&tensor.GemmArgs{TransA: true, M: cp.k, N: cp.p, K: o, Alpha: 1, A: w, LDA: cp.k,
				B: dy, LDB: cp.p, StrideB: o * cp.p, C: dcols, LDC: cp.p, StrideC: cp.k * cp.p, Batch: cp.n})
			dx := tensor.Zeros(cpu, wc.shape[:]...)
			tensor.Col2im(dx, dcols, wc.win)
			hw, ok := cp.h*cp.w, o*cp.kk
			dg := tensor.GemmArgs{M: cp.ch, N: hw, K: ok, Alpha: 1, LDA: ok, LDB: hw, LDC: hw,
				StrideB: ok * hw, StrideC: cp.ch * hw, Batch: cp.n}
			cc.near("dx", Floats(t, dx), GemmReference(&dg, cp.weightT, cp.dySpread, nil, cp.n), 1e-6)
		})
	}
}
