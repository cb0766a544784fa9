//go:build cuda

package cuda

import (
	"fmt"
	"math"

	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// The geometry of the kernels of kernels/gemm.cu, which the launches below
// must match.
const (
	gemmTile    = 128 // rows and columns of C per block
	gemmThreads = 128
	gemmMMAK    = 32 // k per step: BK of TensorCore (TF32 and BF16)
	gemmF32K    = 16 // BK of F32
	// Dynamic shared memory, kStages*kStageFloats*4 of TensorCore and
	// F32: a kernel given less traps.
	gemmMMAShared = 3 * 2 * gemmTile * (gemmMMAK + 4) * 4
	gemmF32Shared = 4 * 2 * gemmF32K * (gemmTile + 4) * 4
)

// How Gemm spreads a product over the GPU.
const (
	// gemmBlocksPerSM is how many blocks of either precision an SM holds
	// at once (registers and shared memory allow two on an H100).
	gemmBlocksPerSM = 2
	// gemmMinSteps is the fewest k steps a slice of a split product does,
	// so that its work outweighs writing and re-reading its partial C.
	gemmMinSteps = 4
	// gemmMaxWorkspace bounds the bytes of partial products of a split.
	gemmMaxWorkspace = 64 << 20
	// maxGridZ is the most blocks a grid may have along z.
	maxGridZ = 65535
)

// Gemm computes the batched product g describes (see tensor.GemmArgs). FP32
// products run on the TF32 tensor cores, or in exact FP32 after
// SetExactGemm(true); BF16 products on the BF16 tensor cores whatever that
// setting, with the operands rounded to bfloat16 to nearest even, as the
// CPU rounds them, and the products summed in FP32.
//
// A batch of separate outputs runs one grid layer per entry. A product
// with fewer tiles of C than the GPU holds blocks at once, and a batch that
// sums into one C, are cut along their (entry, k step) sequence into
// slices: each slice writes its partial product into a workspace from the
// pool and gemm_reduce adds them in slice order, so the result does not
// depend on scheduling.
func (d *Device) Gemm(g *tensor.GemmArgs) {
	d.do("Gemm", func() {
		if _, err := d.GemmPrecision(g.Precision); err != nil {
			panic(err)
		}
		d.gemm(g, d.exact.Load())
	})
}

// GemmPrecision runs FP32 and BF16 products, both on the tensor cores
// (FP32 as TF32 unless exact). Every GPU this device opens has BF16 mma:
// the kernels are PTX for sm_80, which the driver cannot load on an older
// card, so Open fails there.
func (d *Device) GemmPrecision(p tensor.Precision) (string, error) {
	switch p {
	case tensor.FP32, tensor.BF16:
		return "", nil
	}
	return "", fmt.Errorf("cuda: no %v products on the GPU", p)
}

// mathOf returns the arithmetic of a product of precision p, as the
// kernels name it (tf32, bf16 or f32; exact applies to FP32 products
// only), with its k step and the dynamic shared memory its kernels take.
func mathOf(p tensor.Precision, exact bool) (name string, bk, shared int) {
	switch {
	case p == tensor.BF16:
		return "bf16", gemmMMAK, gemmMMAShared
	case exact:
		return "f32", gemmF32K, gemmF32Shared
	}
	return "tf32", gemmMMAK, gemmMMAShared
}

// tilesOf returns the number of 128x128 tiles of an m x n product, which
// the kernels' grids take as their x.
func tilesOf(m, n int) int {
	tiles := ((m + gemmTile - 1) / gemmTile) * ((n + gemmTile - 1) / gemmTile)
	checkInt32("tiles of C", tiles)
	return tiles
}

// sliceRun launches z slices of a product, each taking chunk steps of its
// k sequence and writing C = alpha*product + beta*C at c + z*strideC with
// leading dimension ldc.
type sliceRun func(c cu.DevicePtr, ldc int, strideC int64, chunk, z int, alpha, beta float32)

// sliced computes C = alpha*product + beta*C into c (m x n, leading
// dimension ldc) for a product of `tiles` blocks over a k sequence of
// total steps: in one slice when the tiles keep the GPU busy, otherwise
// cut into slices whose partial products go to a workspace from the pool
// and are added by gemm_reduce in slice order, so the result does not
// depend on scheduling. Inside do.
func (d *Device) sliced(run sliceRun, c cu.DevicePtr, m, n, ldc, tiles, total int, alpha, beta float32) {
	mn := int64(m) * int64(n)
	slices := splitSlices(d.sms*gemmBlocksPerSM, tiles, total, mn)
	if slices == 1 {
		run(c, ldc, 0, total, 1, alpha, beta)
		return
	}
	chunk := (total + slices - 1) / slices
	slices = (total + chunk - 1) / chunk // no slice left empty
	// The stream runs in order, so the workspace can go back to the pool
	// as soon as the reduction that reads it is queued.
	work, class := d.alloc(int64(slices) * mn * 4)
	defer d.release(work, class)
	run(work, n, mn, chunk, slices, 1, 0)
	d.launch("gemm_reduce", gridFor(mn, threads), dim3{threads, 1, 1}, 0,
		c, work, m, n, ldc, slices, alpha, beta)
}

// gemm launches the product; exact applies to FP32 products only. Inside do.
func (d *Device) gemm(g *tensor.GemmArgs, exact bool) {
	arith, bk, shared := mathOf(g.Precision, exact)
	kernel := "gemm_" + arith + "_" + transName(g.TransA) + transName(g.TransB)
	if g.M == 0 || g.N == 0 {
		return
	}
	for _, v := range []struct {
		what string
		v    int
	}{{"M", g.M}, {"N", g.N}, {"K", g.K}, {"LDA", g.LDA}, {"LDB", g.LDB}, {"LDC", g.LDC}} {
		checkInt32(v.what, v.v)
	}
	batch := max(g.Batch, 1)
	steps := (g.K + bk - 1) / bk
	tiles := tilesOf(g.M, g.N)
	a, b, c := d.ptr(g.A), d.ptr(g.B), d.ptr(g.C)
	vecA, vecB := copies16(a, g.LDA, g.StrideA, batch), copies16(b, g.LDB, g.StrideB, batch)
	// run launches z layers of blocks over entries products starting at
	// a, b.
	run := func(a, b cu.DevicePtr, entries int) sliceRun {
		return func(c cu.DevicePtr, ldc int, strideC int64, chunk, z int, alpha, beta float32) {
			// The kernels index the sequence with int, up to twice its
			// length.
			if int64(entries)*int64(steps) > math.MaxInt32/2 {
				panic(fmt.Errorf("%d k steps in each of %d products are more than the kernels index", steps, entries))
			}
			d.launch(kernel, dim3{tiles, 1, z}, dim3{gemmThreads, 1, 1}, shared,
				c, a, b, g.M, g.N, g.K, g.LDA, g.LDB, ldc, int64(g.StrideA), int64(g.StrideB), strideC,
				entries, chunk, alpha, beta, vecA, vecB)
		}
	}

	if batch > 1 && g.StrideC != 0 {
		// The grid's z holds at most maxGridZ entries; a longer batch
		// goes in parts.
		for first := 0; first < batch; first += maxGridZ {
			n := min(batch-first, maxGridZ)
			run(offset(a, first, g.StrideA), offset(b, first, g.StrideB), n)(
				offset(c, first, g.StrideC), g.LDC, int64(g.StrideC), steps, n, g.Alpha, g.Beta)
		}
		return
	}
	d.sliced(run(a, b, batch), c, g.M, g.N, g.LDC, tiles, batch*steps, g.Alpha, g.Beta)
}

// splitSlices returns how many slices to cut a sequence of total k steps
// into, for a product of tiles blocks with mn elements of C on a GPU that
// holds resident blocks at once: as many as keep every block of one wave
// busy, no more than the steps, the workspace and the grid allow.
func splitSlices(resident, tiles, total int, mn int64) int {
	s := min(resident/tiles, total/gemmMinSteps, maxGridZ)
	s = int(min(int64(s), gemmMaxWorkspace/(4*mn)))
	return max(s, 1)
}

// copies16 returns 1 when a matrix at p with leading dimension ld, and
// batch entries stride apart, allows the kernels' 16-byte copies (every
// row of every entry starts on a 16-byte boundary), else 0.
func copies16(p cu.DevicePtr, ld, stride, batch int) int32 {
	if p%16 == 0 && ld%4 == 0 && (batch == 1 || stride%4 == 0) {
		return 1
	}
	return 0
}

// offset returns the address of entry i of a batch of float32 matrices
// stride elements apart starting at p.
func offset(p cu.DevicePtr, i, stride int) cu.DevicePtr {
	return p + cu.DevicePtr(int64(i)*int64(stride)*4)
}

// transName is the letter of a kernel's name for an operand: t when it is
// transposed.
func transName(trans bool) string {
	if trans {
		return "t"
	}
	return "n"
}
