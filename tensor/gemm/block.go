package gemm

import (
	"math"
	"sync"
	"unsafe"

	"github.com/tensorforge/tensorforge/internal/cpucache"
	"github.com/tensorforge/tensorforge/internal/parallel"
)

// Cache blocking. A call walks C in column blocks of at most ncMax columns;
// for each block and each kcMax-deep slice of K it packs that slice of B
// (kc x nc, 2 MiB, held in L3) and then, MR rows at a time, a micro-panel of
// A (MR x kc, 12 KiB, held in L1) that the kernel runs against every NR-wide
// panel of the packed B (32 KiB each, streamed in by the hardware
// prefetcher). Measured on Zen 4: a B block the size of L2 (nc = 768)
// was slower, as A is packed again for every column block; kc of 192 to
// 384 were within noise of 256.
//
// A B read in place rather than packed (see maxInPlaceRows) is blocked to
// inPlaceBBytes instead, a quarter of the core's L2, so that it stays
// there, beside the block of C being written, while every row tile reads
// it again: its rows lie on as many pages, which the prefetchers follow
// poorly from L3. Measured on Zen 4 with conv1 b1 (96 x 2916 x 121): 256
// KiB of its 1 MiB L2 was 2.5% faster than blocks of 1472 columns (712
// KiB).
//
// kcMax and ncMax stay constants: every x86 core with AVX2 has 32 KiB of
// L1d or more, where a 12 x 256 A micro-panel (12 KiB) fits, and the L3
// share a B block of 2 MiB assumes cannot be read reliably (a virtual
// machine reports the sharing of its own vCPUs, not the host's cores).
// The AMX kernel keeps them too: on a Xeon with AMX, K slices of 512 to
// 1024 steps with column blocks of 512 to 2048 were no faster for BF16
// (results/cpu/2026-12-08-xeon).
const (
	kcMax = 256
	ncMax = 2048
)

// inPlaceBBytes is the block of an in-place B: a quarter of L2 as CPUID
// reports it (Zen 4's and Zen 5's 1 MiB give the measured 256 KiB), within
// [128 KiB, 1 MiB], and 256 KiB where CPUID does not say.
var inPlaceBBytes = inPlaceBlock(cpucache.Read())

func inPlaceBlock(s cpucache.Sizes, known bool) int {
	if !known {
		return 256 << 10
	}
	return min(max(s.L2/4, 128<<10), 1<<20)
}

// kBlock returns the depth of each K slice: k split into equal slices of at
// most kcMax, rounded up to a multiple of step (the kernels' unrolling, 4
// steps, or for AMX two tiles' depth of pairs, 32, so that only the last
// slice is padded). It depends on k and the kernel alone, never on the
// worker count, so every element of C is summed in the same order however
// the work is split.
func kBlock(k, step int) int {
	n := (k + kcMax - 1) / kcMax
	return roundUp((k+n-1)/n, step)
}

// kStep is the multiple kBlock rounds kernel kn's K slices to.
func (kn *kernel) kStep() int { return max(4, 2*kn.depthStep) }

// nBlock returns the width of the column blocks for w columns: equal
// blocks of at most most columns, each a multiple of nr.
func nBlock(w, nr, most int) int {
	n := (w + most - 1) / most
	return roundUp((w+n-1)/n, nr)
}

// maxBlockCols returns the most columns of a block of rows rows of C.
func (j *job) maxBlockCols(rows int) int {
	if j.inPlaceB(rows) {
		return max(j.kn.nr, inPlaceBBytes/(4*j.kc))
	}
	return ncMax
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// arena holds one worker's packing buffers, and for a gathered B the
// pieces it gathers before packing them.
type arena struct {
	a, b, tile, gather []float32
}

var arenas sync.Pool

// getArena returns an arena big enough for kernel kn.
func getArena(kn *kernel) *arena {
	ar, _ := arenas.Get().(*arena)
	if ar == nil {
		ar = new(arena)
	}
	nc := roundUp(ncMax, kn.nr)
	bs := nc / kn.nr * panelStride(kcMax, kn.nr)
	if len(ar.b) < bs || len(ar.a) < kcMax*kn.mr || len(ar.tile) < kn.mr*kn.nr {
		ar.b = alignedFloats(bs)
		ar.a = alignedFloats(kcMax * kn.mr)
		ar.tile = alignedFloats(kn.mr * kn.nr)
	}
	return ar
}

// gatherBuf returns the arena's buffer for gathered pieces of B (see
// job.packB), made on first use: gatherRows rows of a column block, or
// a panel's columns of a K slice.
func (ar *arena) gatherBuf(nr int) []float32 {
	if n := max(gatherRows*ncMax, nr*kcMax); len(ar.gather) < n {
		ar.gather = alignedFloats(n)
	}
	return ar.gather
}

// alignedFloats returns n float32s starting on a 64-byte boundary, so that
// no vector load of a packed panel straddles two cache lines.
func alignedFloats(n int) []float32 {
	const align = 64 / 4
	s := make([]float32, n+align)
	off := int(uintptr(unsafe.Pointer(&s[0]))%64) / 4
	if off != 0 {
		off = align - off
	}
	return s[off : off+n : off+n]
}

// job is one Sgemm or SgemmBatch call in flight. Jobs are pooled, and the
// loop bodies are bound once when a job is made, so a call allocates
// nothing once warm.
type job struct {
	transA, transB   bool
	m, n, k          int
	alpha, beta      float32
	a, b, c          []float32
	lda, ldb, ldc    int
	strideB, strideC int         // between the products of a batch
	src              Gather      // B given piece by piece instead of b (see Gather)
	then             func(i int) // run on each product once computed (GatherArgs.Then)
	bi               int         // the product of a batch that split computes
	stageFrom        int         // the product whose B staged gathers into b first
	workers          int         // the most goroutines to split over
	kn               *kernel
	kc               int
	splitM           bool      // workers take row blocks instead of column blocks
	pa               []float32 // all of op(A) packed, or nil: block packs A as it goes
	loops            jobLoops
}

// jobLoops are a job's loop bodies for parallel.For, bound to the job.
type jobLoops struct {
	part     func(lo, hi int) // row or column tiles of one product
	products func(lo, hi int) // whole products of a batch
	packA    func(lo, hi int) // row tiles of pa
	stageB   func(lo, hi int) // gathered Bs of a batch (staged)
}

var jobs = sync.Pool{New: func() any {
	j := new(job)
	j.loops = jobLoops{part: j.runPart, products: j.runProducts, packA: j.packAll, stageB: j.stageB}
	return j
}}

// newJob returns a pooled job for a product with checked arguments; done
// returns it.
func newJob(kn *kernel, workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) *job {
	j := jobs.Get().(*job)
	*j = job{
		workers: workers, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c,
		lda: lda, ldb: ldb, ldc: ldc, kn: kn, kc: kBlock(k, kn.kStep()), loops: j.loops,
	}
	return j
}

// done returns j to the pool.
func (j *job) done() {
	*j = job{loops: j.loops} // drop the caller's slices
	jobs.Put(j)
}

// gemm computes C = alpha*op(A)*op(B) + beta*C for checked arguments with
// m, n, k >= 1 and alpha != 0, splitting C over the workers.
func gemm(kn *kernel, workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	j := newJob(kn, workers, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	j.split()
	j.done()
}

// split computes product j.bi of the batch, split over the workers when
// it is big enough to pay for waking them.
func (j *job) split() {
	m, n, k := j.m, j.n, j.k
	tm, tn := (m+j.kn.mr-1)/j.kn.mr, (n+j.kn.nr-1)/j.kn.nr
	j.splitM = false
	units := tn
	if w := j.workers; w > 1 && 2*m*n*k >= minParallelFlops {
		if j.splitCost(true, tm, tn, w) < j.splitCost(false, tm, tn, w) {
			j.splitM, units = true, tm
		}
		parallel.For(w, units, 1, j.loops.part)
	} else {
		j.runPart(0, units)
	}
}

// minParallelFlops is the smallest product worth handing a second worker:
// below it (about 20 µs of work on one core) handing over a chunk and the
// second copy of the packed panels cost more than they save. Measured on
// Zen 4 with workers that spin before they sleep (internal/parallel):
// 128^3, 4 MFLOP, runs 1.2 to 1.7 times as fast on two.
const minParallelFlops = 1 << 21

// perWorker returns the tiles the busiest of w workers gets out of t.
func perWorker(t, w int) int { return (t + w - 1) / w }

// packCost is what packing one element costs, in multiply-adds of one
// float32 lane. Measured on Zen 4 with conv2's weight gradient (256 x 2400
// x 676, B transposed): splitting columns, which packs B once over both
// workers rather than twice, was 8% faster although it leaves the busiest
// worker 1% more tiles; that puts a packed element at about 20 lanes
// (1.3 cycles), and a plain copy costs less than a transpose.
const packCost = 16

// splitCost estimates the busiest worker's time, in lane multiply-adds,
// when w workers take row tiles (splitM) or column tiles of the tm x tn
// tiles of C: its tiles' arithmetic plus the panels it packs. A worker
// packs the A rows it computes once per column block (unless A came
// packed or it reads A in place), and the B columns it computes once per
// K slice (unless it reads B in place).
func (j *job) splitCost(splitM bool, tm, tn, w int) int {
	mr, nr := j.kn.mr, j.kn.nr
	rows, cols := tm*mr, tn*nr
	if splitM {
		rows = perWorker(tm, w) * mr
	} else {
		cols = perWorker(tn, w) * nr
	}
	packed := j.k * cols
	if j.inPlaceB(min(rows, j.m)) {
		packed = 0
	}
	if j.pa == nil && !j.inPlaceA(min(cols, j.n)) {
		most := j.maxBlockCols(min(rows, j.m))
		blocks := (cols + most - 1) / most
		packed += j.k * rows * blocks
	}
	return rows*cols*j.k + packCost*packed
}

// runPart computes the row or column tiles [lo, hi) of j's product.
func (j *job) runPart(lo, hi int) {
	ar := getArena(j.kn)
	if j.splitM {
		j.block(ar, j.bi, lo*j.kn.mr, min(hi*j.kn.mr, j.m), 0, j.n)
	} else {
		j.block(ar, j.bi, 0, j.m, lo*j.kn.nr, min(hi*j.kn.nr, j.n))
	}
	arenas.Put(ar)
}

// runProducts computes the products [lo, hi) of a batch, whole, one after
// another, each followed by j.then where there is one.
func (j *job) runProducts(lo, hi int) {
	ar := getArena(j.kn)
	for i := lo; i < hi; i++ {
		j.block(ar, i, 0, j.m, 0, j.n)
		j.finish(i)
	}
	arenas.Put(ar)
}

// packAll packs the row tiles [lo, hi) of op(A) into j.pa: each K slice
// of kBlock's, one after the other, holds every row tile's micro-panel
// in turn, as block would pack them.
func (j *job) packAll(lo, hi int) {
	mr := j.kn.mr
	mpad := roundUp(j.m, mr)
	for pc := 0; pc < j.k; pc += j.kc {
		kcur := min(j.kc, j.k-pc)
		for t := lo; t < hi; t++ {
			j.packA(j.pa[j.depth(pc)*mpad+t*j.depth(kcur)*mr:], t*mr, min(mr, j.m-t*mr), pc, kcur)
		}
	}
}

// rowsOf returns the rows kc steps of K take in a packed panel: kc, or
// for a BF16 kernel their pairs.
func (j *job) rowsOf(kc int) int {
	if j.kn.bf16 {
		return pairsOf(kc)
	}
	return kc
}

// depth returns the rows a packed panel of kc steps of K has: rowsOf(kc)
// padded to the kernel's depthStep, with zeros.
func (j *job) depth(kc int) int {
	return roundUp(j.rowsOf(kc), max(1, j.kn.depthStep))
}

// packedDepth is the rows all of K's slices take in packed panels.
func (j *job) packedDepth() int {
	d := 0
	for pc := 0; pc < j.k; pc += j.kc {
		d += j.depth(min(j.kc, j.k-pc))
	}
	return d
}

// packA packs one micro-panel of op(A), rows [i0, i0+rows) and steps
// [p0, p0+kc), in the kernel's format.
func (j *job) packA(dst []float32, i0, rows, p0, kc int) {
	if j.kn.aRows {
		kk := j.depth(kc)
		packARowsBF16(dst, kk, j.a, j.lda, j.transA, i0, rows, p0, kc)
		clear(dst[rows*kk : j.kn.mr*kk])
		return
	}
	if j.kn.bf16 {
		packABF16(dst, j.a, j.lda, j.transA, i0, rows, p0, kc, j.kn.mr)
		return
	}
	packA(dst, j.a, j.lda, j.transA, i0, rows, p0, kc, j.kn.mr)
}

// packB packs the panels of op(B), steps [p0, p0+kc) and columns
// [j0, j0+cols), in the kernel's format: from b, product bi's stored B,
// or from pieces of it that j.src gathers into the arena. The pieces are
// whole rows of op(B) (gatherRows at a time, an even count so BF16 pairs
// stay together) or, where B is transposed, a panel's columns; each is
// packed while it is still in L1 or L2. They are padded with zeros to
// whole panels, the zeros a partial panel is packed with, so that packing
// takes every panel a vector at a time: AlexNet's conv3-5 have 144 output
// positions, 4 panels and a half, where BF16 paired the half one element
// at a time (3% of a BF16 training step on Zen 4).
func (j *job) packB(ar *arena, dst, b []float32, bi, p0, kc, j0, cols int) {
	nr := j.kn.nr
	ps := panelStride(j.depth(kc), nr)
	pack := packB
	if j.kn.bf16 {
		pack = packBBF16
	}
	switch {
	case j.src == nil:
		pack(dst, b, j.ldb, j.transB, p0, kc, j0, cols, nr, ps)
	case j.transB:
		g := ar.gatherBuf(nr)
		for c := 0; c < cols; c += nr {
			w := min(nr, cols-c)
			j.src.Gather(g, kc, bi, j0+c, w, p0, kc)
			clear(g[w*kc : nr*kc])
			pack(dst[c/nr*ps:], g, kc, true, 0, kc, 0, nr, nr, ps)
		}
	default:
		g := ar.gatherBuf(nr)
		w := roundUp(cols, nr)
		for p := 0; p < kc; p += gatherRows {
			rows := min(gatherRows, kc-p)
			j.src.Gather(g, w, bi, p0+p, rows, j0, cols)
			for r := range rows {
				clear(g[r*w+cols : (r+1)*w])
			}
			pack(dst[j.rowsOf(p)*nr:], g, w, false, 0, rows, 0, w, nr, ps)
		}
	}
	// Pairs past K's, where the kernel's depth is padded, are zero.
	if kp, kk := j.rowsOf(kc), j.depth(kc); kk > kp {
		for c := 0; c < cols; c += nr {
			clear(dst[c/nr*ps+kp*nr : c/nr*ps+kk*nr])
		}
	}
}

// gatherRows is how many rows of op(B) packB gathers at once: with ncMax
// columns, 64 KiB, which stays in L2 until it is packed.
const gatherRows = 8

// block computes rows [m0, m1) and columns [n0, n1) of product bi of the
// batch. m0 and n0 are multiples of the tile size, so a tile never
// straddles two workers.
func (j *job) block(ar *arena, bi, m0, m1, n0, n1 int) {
	var b []float32 // nil where B is gathered
	if j.src == nil {
		b = j.b[bi*j.strideB:]
	}
	c := j.c[bi*j.strideC:]
	kn, kc := j.kn, j.kc
	mr, nr := kn.mr, kn.nr
	mpad := roundUp(j.m, mr)
	nc := nBlock(n1-n0, nr, j.maxBlockCols(m1-m0))
	for jc := n0; jc < n1; jc += nc {
		cols := min(nc, n1-jc)
		for pc := 0; pc < j.k; pc += kc {
			kcur := min(kc, j.k-pc)
			beta := j.beta
			if pc > 0 {
				beta = 1 // later slices of K add to what the first wrote
			}
			// Full panels read in place; columns from packed on are packed.
			packed := 0
			if j.inPlaceB(m1 - m0) {
				packed = cols / nr * nr
			}
			if packed < cols {
				j.packB(ar, ar.b, b, bi, pc, kcur, jc+packed, cols-packed)
			}
			// Kernel calls prefetch, piece by piece, the part of B the next
			// block reads, to pack it or, in place, in its kernels: a B too
			// big for the caches then comes from memory while this block
			// computes, not while packB or the kernels wait.
			ahead := j.nextB(b, pc+kc, jc, nc, n1)
			// The kernels' k: the steps, or for BF16 their pairs.
			kk := j.depth(kcur)
			for ic := m0; ic < m1; ic += mr {
				rows := min(mr, m1-ic)
				rounded := false // A's tile rounded here: prefetch the next one
				ap, ars, acs := ar.a[:kk*mr], 1, mr
				if kn.aRows {
					ars, acs = kk, 1
				}
				switch {
				case j.pa != nil:
					ap = j.pa[j.depth(pc)*mpad+ic*kk:][:kk*mr]
				case kn.readsOnly(rows) && j.inPlaceA(cols):
					ap, ars, acs = j.a[ic*j.lda+pc:], j.lda, 1
				case kn.bf16 && !j.transA:
					// Rows of pairs, read with a row stride of kk.
					ars, acs = kk, 1
					roundRowsA(ap, kk, j.a, j.lda, ic, rows, pc, kcur)
					// A partial tile's kernel reads rows past rows
					// (up to a multiple of partRows) and drops their
					// results; zeros keep what it reads defined.
					clear(ap[rows*kk:])
					rounded = true
				default:
					j.packA(ap, ic, rows, pc, kcur)
				}
				jr := 0
				if panels := cols / nr; kn.strip != nil && rows == mr && packed == 0 && panels > 0 {
					// The whole panels in one call.
					if rounded && ic+mr < m1 {
						j.prefetchA(ic+mr, m1, pc, kcur, 0, 1)
					}
					kn.strip(kk, ap, ars, acs, ar.b, nr, panelStride(kk, nr), panels, c[ic*j.ldc+jc:], j.ldc, j.alpha, beta)
					jr = panels * nr
				}
				for ; jr < cols; jr += nr {
					bp, ldb := ar.b, nr
					if jr < packed {
						bp, ldb = b[pc*j.ldb+jc+jr:], j.ldb
					} else {
						bp = bp[(jr-packed)/nr*panelStride(kk, nr):]
					}
					c := c[ic*j.ldc+jc+jr:]
					pf, pfEnd := ahead.next()
					if rounded && ic+mr < m1 {
						j.prefetchA(ic+mr, m1, pc, kcur, jr/nr, (cols+nr-1)/nr)
					}
					switch w := min(nr, cols-jr); {
					case rows == mr && w == nr:
						kn.full(kk, ap, ars, acs, bp, ldb, c, j.ldc, j.alpha, beta, pf, pfEnd)
					case kn.part != nil:
						kn.part(kk, ap, ars, acs, bp, ldb, c, j.ldc, j.alpha, beta, rows, w, pf, pfEnd)
					default:
						kn.full(kk, ap, ars, acs, bp, ldb, ar.tile, nr, 1, 0, pf, pfEnd)
						mergeTile(c, j.ldc, ar.tile, nr, rows, w, j.alpha, beta)
					}
				}
			}
		}
	}
}

// prefetchA asks for kernel call call's share (of calls) of the row tile
// of A at row ic (before m1), steps [pc, pc+kc), to be brought into L2. A
// BF16 product rounds each row tile of A before its kernels, reading it
// from L3: asked for by the tile before it, a few rows before each of its
// kernel calls, the rows are there in time. Measured on Zen 4, conv3 b1
// at one thread: about 3% faster than asking for the whole tile before
// the first call, which itself was 5% faster than no prefetch; the same
// for FP32's packed A gained nothing measurable.
func (j *job) prefetchA(ic, m1, pc, kc, call, calls int) {
	mr := j.kn.mr
	share := (mr + calls - 1) / calls
	r0 := call * share
	if r1 := min(r0+share, mr, m1-ic); r0 < r1 {
		prefetchL2(j.a[(ic+r0)*j.lda+pc:], j.lda, r1-r0, kc)
	}
}

// maxInPlaceRows is the most rows of C a block computes from B read in
// place. Where B is not transposed, its rows already hold the rows of a
// kernel's B panel, ldb floats apart, and packing can be skipped: packing
// costs once per block, while reading in place costs a little every time
// a row tile reads B again (strided rows over more pages), so up to 12
// of the AVX-512 kernel's row tiles. Measured on Zen 4, one thread: in place was 13% faster at
// 128^3, 7% for conv1 b1 (96 rows) and 5% for fc1 b128 (128), but 3%
// slower for conv2 b1 (256 rows) and 5-8% slower for conv3 b128 (384) and
// 2048^3. On two threads, where each worker takes 132 of 256 rows, it was
// 9% faster for conv2 b1 and 11% at 256^3 than 128 rows as the bound.
const maxInPlaceRows = 144

// inPlaceB reports whether a block of rows rows of C reads B's full
// panels in place.
func (j *job) inPlaceB(rows int) bool {
	return j.src == nil && !j.kn.bf16 && !j.transB && rows <= maxInPlaceRows && 4*j.ldb <= inPlaceBStride
}

// inPlaceBStride is the farthest apart, in bytes, a B's rows may be for it
// to be read in place. On Intel, rows on different pages were slower in
// place than packed (a Xeon with AMX, one thread: fc1 b128, rows 16 KiB
// apart, 76 against 110 GFLOP/s; conv1 b1, 11.4 KiB, 115-125 against
// 134-139), rows within a page faster (128^3: 165 against 148); on Zen 4
// in place was faster at every stride measured (see maxInPlaceRows).
var inPlaceBStride = inPlaceStride(cpucache.Vendor())

func inPlaceStride(vendor string) int {
	if vendor == "GenuineIntel" {
		return 4096
	}
	return math.MaxInt
}

// maxInPlaceCols is the most columns of C a block computes from A read in
// place: the kernels address A's rows through a row stride, so where A is
// not transposed a row tile needs no packed copy. As with B, packing pays
// once a panel is used often enough, here once per NR columns. Measured on
// Zen 4, one thread: in place was about 5% faster at 128^3 and for conv3
// b1 (144 columns); at 512 columns (512^3) the gain was down to 2%.
const maxInPlaceCols = 256

// inPlaceA reports whether a block of cols columns of C reads A's row
// tiles in place. Not where A is transposed: the kernel would then take
// each step from another cache line, kc of them held in L1 at once. Nor
// where A's rows are a multiple of 2 KiB apart: a row tile's rows then
// share one or two of L1's 64 sets, whose 8 ways cannot hold them, and
// every one of the kernel's loads misses (1024^3 on two threads, 512
// columns each: 120-134 GFLOP/s in place, 195 packed).
func (j *job) inPlaceA(cols int) bool {
	return !j.kn.bf16 && !j.transA && j.lda%512 != 0 && cols <= maxInPlaceCols
}

// rowSpan is a run of equally long, equally spaced byte ranges (rows) in
// memory, handed out to kernel calls in pieces of at most piece bytes.
type rowSpan struct {
	base, stride, length, piece uintptr
	rows                        int
	row                         int     // the row of the next piece
	off                         uintptr // the next piece's offset in its row
}

// next returns the bounds of the next piece, or an empty range past the
// last one. Pieces never cross rows, so each is contiguous memory.
func (r *rowSpan) next() (start, end uintptr) {
	if r.row >= r.rows {
		return 0, 0
	}
	rowStart := r.base + uintptr(r.row)*r.stride
	start = rowStart + r.off
	end = min(start+r.piece, rowStart+r.length)
	if r.off += r.piece; r.off >= r.length {
		r.row, r.off = r.row+1, 0
	}
	return start, end
}

// prefetchStepsPerLine is how many k steps (for BF16, pairs of them) the
// assembly kernels take per prefetched cache line: one per unrolled
// iteration of their k loop.
const prefetchStepsPerLine = 4

// nextB returns the rows of B = b that packB reads for the block after the one
// at column jc, whose K slice ends at pc: the next slice of K, or the
// first slice of the next column block (of at most nc columns, before n1).
// A gathered B has no rows to prefetch: its source is the gatherer's.
func (j *job) nextB(b []float32, pc, jc, nc, n1 int) rowSpan {
	if pc >= j.k {
		pc, jc = 0, jc+nc
	}
	if jc >= n1 || j.src != nil {
		return rowSpan{}
	}
	kcur, cols := min(j.kc, j.k-pc), min(nc, n1-jc)
	r := rowSpan{stride: uintptr(4 * j.ldb), length: uintptr(4 * cols), rows: kcur}
	// What one kernel call can prefetch: a line per few steps of its k loop.
	r.piece = uintptr(64 * max(1, j.depth(min(j.kc, j.k))/prefetchStepsPerLine))
	off := pc*j.ldb + jc
	if j.transB {
		r.length, r.rows = uintptr(4*kcur), cols
		off = jc*j.ldb + pc
	}
	r.base = uintptr(unsafe.Pointer(unsafe.SliceData(b))) + uintptr(4*off)
	return r
}

// mergeTile writes the rows x cols corner of an edge tile t (rows ldt
// apart) into C: C = alpha*t + beta*C, not reading C when beta is 0.
func mergeTile(c []float32, ldc int, t []float32, ldt, rows, cols int, alpha, beta float32) {
	for i := range rows {
		ci, ti := c[i*ldc:i*ldc+cols], t[i*ldt:i*ldt+cols]
		if beta == 0 {
			for j, v := range ti {
				ci[j] = alpha * v
			}
			continue
		}
		for j, v := range ti {
			ci[j] = alpha*v + beta*ci[j]
		}
	}
}
