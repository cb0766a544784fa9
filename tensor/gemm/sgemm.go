// Package gemm is the CPU single-precision matrix multiply: a BLIS-style
// blocked SGEMM with packed panels, register-tiled micro-kernels in
// assembly for AVX-512 and AVX2+FMA (picked at run time, pure Go
// elsewhere or with the purego build tag), split over the workers of
// internal/parallel. SgemmBF16 is the same product on bfloat16-rounded
// inputs, with AVX512_BF16 kernels where the CPU has them. Every function
// is safe for concurrent use, by products with different Cs: the package's
// state is pools of buffers and the fixed worker pool.
package gemm

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tensorforge/tensorforge/internal/parallel"
)

// Workers is how many of the process's worker goroutines (those of
// internal/parallel) a product may use: a CPU device with its own thread
// count calls Workers(n).Sgemm. 0 or less means the process default.
// Results are the same to the bit for every count.
type Workers int

// Sgemm is Workers(0).Sgemm: a product over the process default's workers.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Workers(0).Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmBatch is Workers(0).SgemmBatch.
func SgemmBatch(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC, batch int) {
	Workers(0).SgemmBatch(transA, transB, m, n, k, alpha, a, lda, b, ldb, strideB, beta, c, ldc, strideC, batch)
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices:
// op(A) is m x k, op(B) is k x n, C is m x n; with transA, A is stored
// k x m. lda, ldb and ldc are the distances between stored rows.
// When beta is 0, C is only written, so it may hold anything (NaN too);
// when alpha is 0 or k is 0, A and B are not read.
// It panics if a size is negative, a leading dimension is smaller than its
// row, or a slice is too short.
func (w Workers) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.sgemm(active.Load(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmBF16 is Sgemm with A and B rounded to bfloat16 (to nearest, ties
// to even) and their products summed in float32 (see bf16.go): twice the
// arithmetic rate on a CPU with AVX512_BF16, and the same bits on one
// without, through a pure-Go kernel. The result differs from Sgemm's by
// the inputs' rounding, at most 2^-8 of each.
func (w Workers) SgemmBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.sgemm(activeBF16.Load(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemm checks the arguments and runs the product on kernel kn.
func (w Workers) sgemm(kn *kernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, 0, c, ldc, 0, 1)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(c, m, n, ldc, beta)
		return
	}
	gemm(kn, w.resolve(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// resolve returns the worker count to split over.
func (w Workers) resolve() int {
	if w < 1 {
		return parallel.Workers()
	}
	return int(w)
}

// SgemmBatch computes C_i = alpha*op(A)*op(B_i) + beta*C_i for i < batch:
// products that share A, as a convolution's do over the images of a
// batch. B_i starts at b[i*strideB] and C_i at c[i*strideC]; the C_i must
// not overlap. Each result is the same to the bit as Sgemm's.
//
// A is packed once for the whole batch, and the workers take whole
// products, each the next one left as it finishes the last, packing only
// its own B_i, where Sgemm would split every product over them and have
// each pack all of A again; a last few products that do not divide evenly
// are split as Sgemm splits them.
// It panics on the arguments Sgemm does, on a negative batch or stride,
// and on overlapping C_i.
func (w Workers) SgemmBatch(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC, batch int) {
	w.sgemmBatch(active.Load(), transA, transB, m, n, k, alpha, a, lda, b, ldb, strideB, beta, c, ldc, strideC, batch)
}

// SgemmBatchBF16 is SgemmBatch with the products of SgemmBF16.
func (w Workers) SgemmBatchBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC, batch int) {
	w.sgemmBatch(activeBF16.Load(), transA, transB, m, n, k, alpha, a, lda, b, ldb, strideB, beta, c, ldc, strideC, batch)
}

// sgemmBatch checks the arguments and runs the batch on kernel kn.
func (w Workers) sgemmBatch(kn *kernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC, batch int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, strideB, c, ldc, strideC, batch)
	if m == 0 || n == 0 || batch == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		for i := range batch {
			scale(c[i*strideC:], m, n, ldc, beta)
		}
		return
	}
	j := newJob(kn, w.resolve(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	j.strideB, j.strideC = strideB, strideC
	j.shared(batch)
	j.done()
}

// shared computes the products of a batch that share A, each followed by
// j.then where there is one. A is packed once for them all.
func (j *job) shared(batch int) {
	if batch == 1 {
		j.split()
		j.finish(0)
		return
	}
	tm := (j.m + j.kn.mr - 1) / j.kn.mr
	pa := getPacked(tm * j.kn.mr * j.packedDepth())
	j.pa = pa.data
	if j.m*j.k >= minParallelPack {
		parallel.For(j.workers, tm, 1, j.loops.packA)
	} else {
		j.packAll(0, tm)
	}
	// The workers take products one at a time, so one slowed down (by
	// another process, or the embedding program's goroutines) takes fewer.
	// Measured on Zen 4 with a busy loop in another process holding a
	// core: conv2's forward at batch 128 took 890-940 ms, against 980-1030
	// with a fixed half each (573 undisturbed, either way).
	whole := batch / j.workers * j.workers
	parallel.Each(j.workers, whole, j.loops.products)
	for i := whole; i < batch; i++ {
		j.bi = i
		j.split()
		j.finish(i)
	}
	j.pa = nil
	packedAs.Put(pa)
}

// finish runs j.then, if any, on product i.
func (j *job) finish(i int) {
	if j.then != nil {
		j.then(i)
	}
}

// minParallelPack is the smallest A, in elements, worth packing on several
// workers: packing that many costs what minParallelFlops of arithmetic do
// (packCost lane multiply-adds an element, two flops a multiply-add).
const minParallelPack = minParallelFlops / (2 * packCost)

// packed is a buffer for all of a packed A.
type packed struct{ data []float32 }

var packedAs sync.Pool

// getPacked returns a pooled buffer of at least n floats.
func getPacked(n int) *packed {
	p, _ := packedAs.Get().(*packed)
	if p == nil {
		p = new(packed)
	}
	if len(p.data) < n {
		p.data = alignedFloats(n)
	}
	return p
}

// checkArgs panics unless the sizes are not negative and a, b and c hold
// A and batch Bs and Cs, strideB and strideC apart, the Cs apart enough
// not to overlap.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb, strideB int, c []float32, ldc, strideC, batch int) {
	checkSizes(m, n, k, batch)
	ar, ac := stored(transA, m, k)
	br, bc := stored(transB, k, n)
	checkMatrix("a", a, ar, ac, lda, 1, 0)
	checkMatrix("b", b, br, bc, ldb, batch, strideB)
	checkMatrix("c", c, m, n, ldc, batch, strideC)
	checkOverlap(m, n, ldc, strideC, batch)
}

// checkSizes panics unless the sizes are not negative.
func checkSizes(m, n, k, batch int) {
	if m < 0 || n < 0 || k < 0 || batch < 0 {
		size := fmt.Sprintf("m=%d n=%d k=%d", m, n, k)
		if batch != 1 {
			size += fmt.Sprintf(" batch=%d", batch)
		}
		panic("gemm: negative size " + size)
	}
}

// checkOverlap panics unless a batch of m x n Cs, rows ldc apart, lie
// strideC apart enough not to overlap.
func checkOverlap(m, n, ldc, strideC, batch int) {
	if batch > 1 && m > 0 && n > 0 && strideC < (m-1)*ldc+n {
		panic(fmt.Sprintf("gemm: strideC = %d, want >= %d so the %d %dx%d products with ldc %d do not overlap", strideC, (m-1)*ldc+n, batch, m, n, ldc))
	}
}

// stored returns the rows and columns an operand is stored as when its
// op is rows x cols.
func stored(trans bool, rows, cols int) (int, int) {
	if trans {
		return cols, rows
	}
	return rows, cols
}

// checkMatrix panics unless s can hold batch rows x cols matrices whose
// rows are ld apart, each stride after the one before.
func checkMatrix(name string, s []float32, rows, cols, ld, batch, stride int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s = %d, want >= %d for a %dx%d matrix", name, ld, max(1, cols), rows, cols))
	}
	if stride < 0 {
		panic(fmt.Sprintf("gemm: stride%s = %d, want >= 0", strings.ToUpper(name), stride))
	}
	if rows == 0 || cols == 0 || batch == 0 {
		return
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	switch {
	case len(s) >= need:
	case batch == 1:
		panic(fmt.Sprintf("gemm: len(%s) = %d, want >= %d for a %dx%d matrix with ld%s %d", name, len(s), need, rows, cols, name, ld))
	default:
		panic(fmt.Sprintf("gemm: len(%s) = %d, want >= %d for %d %dx%d matrices with ld%s %d, %d apart", name, len(s), need, batch, rows, cols, name, ld, stride))
	}
}

// scale sets C = beta*C, writing zeros without reading C when beta is 0.
func scale(c []float32, m, n, ldc int, beta float32) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
