//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// gemmCase is one product for TestGemm, run on the GPU and checked against
// a float64 reference on the host.
type gemmCase struct {
	m, n, k, batch int
	transA, transB bool
	alpha, beta    float32
	shareA, shareB bool // stride 0: one matrix for the whole batch
	sum            bool // StrideC 0: the batch sums into one C
	// aligned puts every matrix on a 16-byte boundary with leading
	// dimensions and strides that are multiples of 4: the kernels' 16-byte
	// copies. Otherwise views start 1 to 3 floats past a boundary: their
	// 4-byte copies.
	aligned bool
}

func (c gemmCase) String() string {
	s := fmt.Sprintf("%dx%dx%d_%s%s_a%v_b%v", c.m, c.n, c.k, transName(c.transA), transName(c.transB), c.alpha, c.beta)
	if c.batch > 1 {
		s += fmt.Sprintf("_batch%d", c.batch)
		if c.shareA {
			s += "_shareA"
		}
		if c.shareB {
			s += "_shareB"
		}
		if c.sum {
			s += "_sum"
		}
	}
	if c.aligned {
		s += "_aligned"
	}
	return s
}

// gemmCases returns the products TestGemm runs: edges inside and between
// tiles, every transpose, scalars that do and do not read C, batches with
// shared operands, summed batches in one slice and in several, and the
// shapes of AlexNet's layers at small batches.
func gemmCases() []gemmCase {
	var cases []gemmCase
	for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
		for _, aligned := range []bool{false, true} {
			for _, c := range []gemmCase{
				{m: 1, n: 1, k: 1, alpha: 1},
				{m: 17, n: 33, k: 7, alpha: 1.5},
				{m: 129, n: 257, k: 65, alpha: 1},
				{m: 131, n: 137, k: 139, alpha: -0.5, beta: 2},
				{m: 1000, n: 3, k: 50, alpha: 1, beta: 0.5}, // tall
				{m: 3, n: 1000, k: 50, alpha: 1},            // wide
				{m: 17, n: 33, k: 2000, alpha: 1, beta: 1},  // long k: split into slices
				{m: 1030, n: 260, k: 300, alpha: 1},         // 9x3 tiles: a partial group of tile rows
				{m: 9, n: 11, k: 0, alpha: 1, beta: 0.5},    // C = beta*C
				{m: 40, n: 24, k: 37, batch: 3, alpha: 1, beta: 0.25, shareB: true},
				{m: 40, n: 24, k: 37, batch: 3, alpha: 2, shareA: true},
				{m: 20, n: 30, k: 45, batch: 6, alpha: 1, beta: 1, sum: true}, // several slices
				{m: 20, n: 30, k: 5, batch: 2, alpha: 1, sum: true},           // one slice
			} {
				c.transA, c.transB, c.aligned = tr[0], tr[1], aligned
				cases = append(cases, c)
			}
		}
	}
	return append(cases,
		// conv1 forward per image: Y_i = W * cols_i (odd K: 4-byte copies of W)
		gemmCase{m: 96, n: 2916, k: 121, batch: 2, alpha: 1, shareA: true, aligned: true},
		// conv1 weight gradient: dW = sum_i dY_i cols_i^T
		gemmCase{m: 96, n: 121, k: 2916, batch: 3, transB: true, alpha: 1, beta: 1, sum: true, aligned: true},
		// conv2 column gradient: dcols_i = W^T dY_i
		gemmCase{m: 2400, n: 676, k: 256, batch: 2, transA: true, alpha: 1, shareA: true, aligned: true},
		// a Linear layer: y = x W^T
		gemmCase{m: 128, n: 1000, k: 640, transB: true, alpha: 1, aligned: true},
	)
}

// TestGemm checks every case in each kind of arithmetic: the relative
// error of C in the Frobenius norm, and that no element outside the
// matrices of C changes (C sits between guards, with gaps between rows and
// entries). BF16 is compared with the product of the operands rounded to
// bfloat16, so only its float32 sums differ from the reference: a tensor
// core may truncate each mma's sum (a relative bias of up to 2^-23 per 16
// k) where FMAs round to nearest, hence a looser bound than exact FP32's,
// still far below the 2^-9 of relative error that rounding the operands
// otherwise (or to TF32 instead) would leave.
func TestGemm(t *testing.T) {
	d := gpu(t)
	defer d.SetExactGemm(false)
	r := rand.New(rand.NewPCG(testSeed(t), 7))
	for _, p := range []struct {
		name      string
		exact     bool
		precision tensor.Precision
		tol       float64
	}{{"tf32", false, tensor.FP32, 5e-3}, {"exact", true, tensor.FP32, 1e-5}, {"bf16", false, tensor.BF16, 1e-4}} {
		t.Run(p.name, func(t *testing.T) {
			d.SetExactGemm(p.exact)
			for _, c := range gemmCases() {
				t.Run(c.String(), func(t *testing.T) { checkGemm(t, d, r, c, p.precision, p.tol) })
			}
		})
	}
}

// gemmOperand is a matrix (or a batch of them) in the middle of a device
// allocation: host holds the allocation's contents as written, off the
// view's first element.
type gemmOperand struct {
	host []float32
	base *tensor.Tensor // the whole allocation
	view *tensor.Tensor
	off  int
}

// newGemmOperand writes a batch of rows x cols matrices with leading
// dimension ld and the given stride, between guards, to the device. Every
// element is uniform in [-1, 1), then fill may overwrite the matrices'.
func newGemmOperand(d tensor.Device, r *rand.Rand, rows, cols, ld, stride, batch int, aligned bool, fill func() float32) gemmOperand {
	off := 1 + r.IntN(3)
	if aligned {
		off = 4 * (1 + r.IntN(2))
	}
	span := 0
	if rows > 0 && cols > 0 {
		span = (batch-1)*stride + (rows-1)*ld + cols
	}
	host := make([]float32, off+span+1+r.IntN(9))
	for i := range host {
		host[i] = 2*r.Float32() - 1
	}
	if fill != nil {
		for z := range batch {
			for i := range rows {
				for j := range cols {
					host[off+z*stride+i*ld+j] = fill()
				}
			}
		}
	}
	base := tensor.FromSlice(d, host, len(host))
	return gemmOperand{host: host, base: base, view: base.Slice(off, off+span), off: off}
}

// checkGemm runs one case in precision p and compares it with
// devicetest.GemmReference, of the operands rounded to bfloat16 for BF16.
func checkGemm(t *testing.T, d tensor.Device, r *rand.Rand, c gemmCase, p tensor.Precision, tol float64) {
	t.Helper()
	batch := max(c.batch, 1)
	ar, ac, br, bc := c.m, c.k, c.k, c.n
	if c.transA {
		ar, ac = ac, ar
	}
	if c.transB {
		br, bc = bc, br
	}
	ld := func(cols int) int {
		if c.aligned {
			return (max(cols, 1)+3)/4*4 + 4*r.IntN(2)
		}
		return max(cols, 1) + r.IntN(3)
	}
	stride := func(rows, ld int) int {
		s := rows*ld + r.IntN(5)
		if c.aligned {
			s = (s + 3) / 4 * 4
		}
		return s
	}
	g := tensor.GemmArgs{TransA: c.transA, TransB: c.transB, M: c.m, N: c.n, K: c.k,
		Alpha: c.alpha, Beta: c.beta, Batch: c.batch, LDA: ld(ac), LDB: ld(bc), LDC: ld(c.n), Precision: p}
	if batch > 1 && !c.shareA {
		g.StrideA = stride(ar, g.LDA)
	}
	if batch > 1 && !c.shareB {
		g.StrideB = stride(br, g.LDB)
	}
	cBatch := 1
	if batch > 1 && !c.sum {
		g.StrideC, cBatch = stride(c.m, g.LDC), batch
	}
	a := newGemmOperand(d, r, ar, ac, g.LDA, g.StrideA, batch, c.aligned, nil)
	b := newGemmOperand(d, r, br, bc, g.LDB, g.StrideB, batch, c.aligned, nil)
	var fillC func() float32
	if c.beta == 0 {
		nan := float32(math.NaN())
		fillC = func() float32 { return nan } // beta 0 must not read C
	}
	cm := newGemmOperand(d, r, c.m, c.n, g.LDC, g.StrideC, cBatch, c.aligned, fillC)
	g.A, g.B, g.C = a.view, b.view, cm.view

	tensor.Gemm(&g)
	got := devicetest.Floats(t, cm.base)
	ah, bh := a.host[a.off:], b.host[b.off:]
	if p == tensor.BF16 {
		ah, bh = roundBF16(ah), roundBF16(bh)
	}
	want := devicetest.GemmReference(&g, ah, bh, cm.host[cm.off:], cBatch)

	written := make([]bool, len(got))
	var diff, norm float64
	for z := range cBatch {
		for i := range c.m {
			for j := range c.n {
				idx := z*g.StrideC + i*g.LDC + j
				w := want[(z*c.m+i)*c.n+j]
				e := float64(got[cm.off+idx]) - w
				if math.IsNaN(e) {
					t.Fatalf("C_%d[%d][%d] = %v, want %v", z, i, j, got[cm.off+idx], w)
				}
				diff += e * e
				norm += w * w
				written[cm.off+idx] = true
			}
		}
	}
	if rel := math.Sqrt(diff / max(norm, math.SmallestNonzeroFloat64)); rel > tol {
		t.Errorf("relative error %.3g, want <= %.0e", rel, tol)
	}
	for i, w := range written {
		if !w && math.Float32bits(got[i]) != math.Float32bits(cm.host[i]) {
			t.Fatalf("element %d of C's allocation, outside every matrix, changed from %v to %v", i, cm.host[i], got[i])
		}
	}
}

// TestGemmDeterministic runs a product split into slices twice: the
// reduction adds the slices in a fixed order, so the bits must agree.
func TestGemmDeterministic(t *testing.T) {
	d := gpu(t)
	defer d.SetExactGemm(false)
	for _, exact := range []bool{false, true} {
		d.SetExactGemm(exact)
		// conv1's weight gradient over 8 images: one tile of C, many slices.
		dy := tensor.RandUniform(d, 1, -1, 1, 8, 96, 2916)
		cols := tensor.RandUniform(d, 2, -1, 1, 8, 121, 2916)
		var runs [2][]float32
		for i := range runs {
			dw := tensor.Zeros(d, 96, 121)
			tensor.Gemm(&tensor.GemmArgs{TransB: true, M: 96, N: 121, K: 2916, Alpha: 1, A: dy, B: cols, C: dw,
				LDA: 2916, LDB: 2916, LDC: 121, StrideA: 96 * 2916, StrideB: 121 * 2916, Batch: 8})
			runs[i] = devicetest.Floats(t, dw)
		}
		for i := range runs[0] {
			if math.Float32bits(runs[0][i]) != math.Float32bits(runs[1][i]) {
				t.Fatalf("exact=%v: element %d is %v, then %v", exact, i, runs[0][i], runs[1][i])
			}
		}
	}
}

// TestGemmLongBatch runs more separate products than a grid has layers
// along z, so Gemm launches the batch in parts: c_i = a_i*b_i + c_i.
func TestGemmLongBatch(t *testing.T) {
	d := gpu(t)
	const n = maxGridZ + 1000
	av, bv, cv := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range n {
		av[i], bv[i], cv[i] = float32(i%7), float32(i%5), float32(i%3)
	}
	a, b, c := tensor.FromSlice(d, av, n), tensor.FromSlice(d, bv, n), tensor.FromSlice(d, cv, n)
	tensor.Gemm(&tensor.GemmArgs{M: 1, N: 1, K: 1, Alpha: 1, Beta: 1, A: a, B: b, C: c,
		LDA: 1, LDB: 1, LDC: 1, StrideA: 1, StrideB: 1, StrideC: 1, Batch: n})
	got := devicetest.Floats(t, c)
	for i := range n {
		if want := av[i]*bv[i] + cv[i]; got[i] != want {
			t.Fatalf("c[%d] = %v, want %v", i, got[i], want)
		}
	}
}

// TestGemmTF32Rounding checks that the TF32 kernels round their inputs to
// nearest with ties away from zero (cvt.rna), not by dropping the low
// bits: 1+2^-11 lies halfway between two TF32 numbers and must become
// 1+2^-10, which the exact kernels leave alone.
func TestGemmTF32Rounding(t *testing.T) {
	d := gpu(t)
	defer d.SetExactGemm(false)
	x := float32(1 + 1.0/2048)
	for _, p := range []struct {
		exact bool
		want  float32
	}{{false, 1 + 1.0/1024}, {true, x}} {
		d.SetExactGemm(p.exact)
		a, b := tensor.FromSlice(d, []float32{x}, 1, 1), tensor.FromSlice(d, []float32{1}, 1, 1)
		c := tensor.Zeros(d, 1, 1)
		tensor.MatMul(c, 1, a, false, b, false, 0)
		if got := devicetest.Floats(t, c)[0]; got != p.want {
			t.Errorf("exact=%v: (1+2^-11)*1 = %v, want %v", p.exact, got, p.want)
		}
	}
}

// TestGemmBF16Rounding checks that the BF16 kernels round both operands to
// bfloat16 to nearest with ties to even, as the CPU does, whatever the
// exact-FP32 setting: with 8 significant bits, 1+2^-8 is a tie that goes
// down to 1, 1+3*2^-8 a tie that goes up to 1+2^-6, 1+2^-8+2^-12 lies
// above a tie and goes up to 1+2^-7. Truncation, or ties away from zero,
// would get one of them wrong; so would a value of A or B landing in the
// wrong half of its register (the product would meet a zero).
func TestGemmBF16Rounding(t *testing.T) {
	d := gpu(t)
	defer d.SetExactGemm(false)
	x := []float32{1 + 0x1p-8, 1 + 3*0x1p-8, 1 + 0x1p-8 + 0x1p-12}
	r := []float32{1, 1 + 0x1p-6, 1 + 0x1p-7}
	for _, exact := range []bool{false, true} {
		d.SetExactGemm(exact)
		// C = x * x^T: every rounded value meets every other, as A and as B.
		a, b := tensor.FromSlice(d, x, 3, 1), tensor.FromSlice(d, x, 1, 3)
		c := tensor.Zeros(d, 3, 3)
		tensor.Gemm(&tensor.GemmArgs{M: 3, N: 3, K: 1, Alpha: 1, A: a, B: b, C: c, LDA: 1, LDB: 3, LDC: 3,
			Precision: tensor.BF16})
		got := devicetest.Floats(t, c)
		for i := range 3 {
			for j := range 3 {
				// Products of 8-bit significands are exact in float32.
				if want := r[i] * r[j]; got[3*i+j] != want {
					t.Errorf("exact=%v: bf16(%v)*bf16(%v) = %v, want %v", exact, x[i], x[j], got[3*i+j], want)
				}
			}
		}
	}
}

// TestSplitSlices checks how products are cut along k, without a GPU.
func TestSplitSlices(t *testing.T) {
	for _, c := range []struct {
		resident, tiles, total int
		mn                     int64
		want                   int
	}{
		{264, 1024, 128, 4096 * 4096, 1},     // enough tiles already
		{264, 200, 200, 1280 * 2560, 1},      // most of a wave: a split would add a second
		{264, 32, 200, 128 * 4096, 8},        // fc1 forward: 32 tiles, one wave of 256 blocks
		{264, 1, 11776, 96 * 121, 264},       // conv1 weight gradient: one tile
		{264, 1, 10, 17 * 33, 2},             // at least gemmMinSteps steps per slice
		{264, 1, 3, 17 * 33, 1},              // too short to split
		{10000, 1, 1 << 20, 128 * 128, 1024}, // no more than gemmMaxWorkspace
		{1 << 20, 1, 1 << 28, 1, maxGridZ},   // no more than the grid's z
	} {
		if got := splitSlices(c.resident, c.tiles, c.total, c.mn); got != c.want {
			t.Errorf("splitSlices(%d, %d, %d, %d) = %d, want %d", c.resident, c.tiles, c.total, c.mn, got, c.want)
		}
	}
}
