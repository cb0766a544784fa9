package gemm

import "sync/atomic"

// A kernel computes tiles of C from an mr x k panel of A whose element
// (i, p) is a[i*ars+p*acs] (a packed micro-panel, ars = 1 and acs = mr, or
// A itself) and a k x nr panel of B whose rows are ldb apart
// (b[p*ldb+j] = B[p][j]: a packed micro-panel, ldb = nr, or B itself):
// C = alpha*A*B + beta*C, where C's rows are ldc apart and C is not read
// when beta is 0. k is at least 1. Kernels may prefetch the bytes
// [pf, pfEnd) while they run: addresses, not pointers, as they may lie
// outside any Go object, and prefetches never fault.
type kernel struct {
	name   string
	mr, nr int
	// full computes a whole mr x nr tile.
	full func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, pf, pfEnd uintptr)
	// part computes the top-left rows x cols corner of a tile, at the
	// edges of C. Nil means through a tile buffer with full.
	part func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, rows, cols int, pf, pfEnd uintptr)
	// strip, where not nil, computes panels whole tiles side by side, as
	// full would one by one: C's columns [0, panels*nr) from the packed
	// panels of B ps floats apart. It saves what a call of full costs
	// beyond its arithmetic once per tile.
	strip func(k int, a []float32, ars, acs int, b []float32, ldb, ps, panels int, c []float32, ldc int, alpha, beta float32)
	// partRows is how many rows of A part reads at a time: it reads rows
	// rounded up to a multiple of it.
	partRows int
	// bf16 marks a kernel of bfloat16 pairs (see bf16.go): its k counts
	// pairs of steps, and its panels are packed by packABF16 (or, for an
	// aRows kernel, packARowsBF16) and packBBF16, never read in place.
	bf16 bool
	// aRows marks a BF16 kernel that reads A's micro-panels as rows of
	// pairs, element (i, q) at a[i*ars+q] (acs 1), never as packed columns.
	aRows bool
	// depthStep, where not 0, is what a BF16 kernel's k (pairs) must be a
	// multiple of: its panels are padded with zero pairs to it.
	depthStep int
	// ownSums marks a BF16 kernel whose hardware sums a tile's pairs its
	// own way (AMX), so that its bits differ from the other BF16 kernels'.
	ownSums bool
}

// readsOnly reports whether a tile of rows rows reads no row of A past
// them, so that A can be read in place.
func (kn *kernel) readsOnly(rows int) bool {
	return rows == kn.mr || kn.part != nil && rows%kn.partRows == 0
}

// kernels lists the micro-kernels this CPU can run, fastest first; the
// pure-Go kernel is always last.
var kernels = append(asmKernels(), goKernel)

// bf16Kernels lists the BF16 micro-kernels this CPU can run, fastest
// first; the pure-Go one is always last.
var bf16Kernels = append(asmBF16Kernels(), goBF16Kernel)

// HasBF16Instructions reports whether SgemmBF16 runs on this CPU's
// bfloat16 instructions (AMX's tiles, or AVX512_BF16's VDPBF16PS) rather
// than on the pure-Go kernel, which gives VDPBF16PS's results many times
// slower.
func HasBF16Instructions() bool { return len(bf16Kernels) > 1 }

// active and activeBF16 are the kernels Sgemm and SgemmBF16 use: the
// first of their lists unless a test forces another.
var active, activeBF16 atomic.Pointer[kernel]

func init() {
	active.Store(kernels[0])
	activeBF16.Store(bf16Kernels[0])
}

// useKernel makes Sgemm use the named kernel and returns the previous one's
// name, so tests can run every path this machine has. It reports false if
// the kernel is not available here.
func useKernel(name string) (prev string, ok bool) {
	for _, list := range []struct {
		kernels []*kernel
		active  *atomic.Pointer[kernel]
	}{{kernels, &active}, {bf16Kernels, &activeBF16}} {
		for _, k := range list.kernels {
			if k.name == name {
				return list.active.Swap(k).name, true
			}
		}
	}
	return "", false
}
