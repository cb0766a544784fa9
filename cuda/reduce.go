//go:build cuda

package cuda

import (
	"math/bits"

	"github.com/tensorforge/tensorforge/tensor"
)

// reduceThreads is REDUCE_THREADS in kernels/reduce.cu.
const reduceThreads = 256

// reduceTargetBlocks is how many blocks a pass aims for when it splits the
// reduced axis: several per multiprocessor on any current GPU. It is a
// constant rather than this GPU's count so that the order of a sum, and so
// its bits, depend on the shape alone.
const reduceTargetBlocks = 2048

// reduceMinLoads is the fewest elements a thread combines in a split pass:
// with fewer, the next pass would cost more than the split saves.
const reduceMinLoads = 32

// reducePass is the layout of one launch of reduce_sum_f32 or
// reduce_max_f32 (see kernels/reduce.cu) over x [outer, n, inner]: blocks
// of q rows of r phases of w lanes, the middle axis cut into splits chunks
// of chunk elements, and the number of blocks that covers it all.
type reducePass struct {
	w, r, q       int
	chunk, splits int64
	blocks        int64
}

// planReduce lays out a pass over x [outer, n, inner], outer and inner
// positive. Lanes go along inner (up to a warp's width, wider when there is
// little to reduce), phases along n (a power of two, no more than n needs),
// and the threads left over take further rows. The axis is split only
// while the tiles alone are fewer than reduceTargetBlocks, into chunks of
// at least reduceMinLoads elements per phase.
func planReduce(outer, n, inner int64) reducePass {
	var p reducePass
	p.r = min(ceilPow2(int(min(max(n, 1), reduceThreads))), floorPow2(reduceThreads/int(min(inner, 32))))
	p.w = int(min(inner, int64(reduceThreads/p.r)))
	p.q = reduceThreads / (p.w * p.r)
	tiles := ceilDiv(outer, int64(p.q)) * ceilDiv(inner, int64(p.w))
	p.splits = 1
	if tiles < reduceTargetBlocks {
		p.splits = max(1, min(ceilDiv(n, int64(p.r)*reduceMinLoads), ceilDiv(reduceTargetBlocks, tiles)))
	}
	// Equal chunks but the last, and none of them empty.
	p.chunk = max(1, ceilDiv(n, p.splits))
	p.splits = max(1, ceilDiv(n, p.chunk))
	p.blocks = tiles * p.splits
	return p
}

// reduceKernels are kernels/reduce.cu's, indexed by the reduction.
var reduceKernels = [...]string{tensor.OpSum: "reduce_sum_f32", tensor.OpMax: "reduce_max_f32"}

// Reduce writes to y [outer, inner] the sum or the maximum of x [outer, n,
// inner] over n. A pass that splits n writes its partials
// [outer, splits, inner] to a scratch block from the pool, and the next
// pass reduces those; every scratch goes back to the pool once the last
// pass is queued (the stream runs in order).
func (d *Device) Reduce(op tensor.ReduceOp, y, x *tensor.Tensor, outer, n, inner int) {
	kernel := reduceKernels[op]
	d.do("Reduce", func() {
		if outer == 0 || inner == 0 {
			return // y is empty: nothing to write, and no tile to plan
		}
		o, m, k := int64(outer), int64(n), int64(inner)
		src := d.ptr(x)
		for {
			p := planReduce(o, m, k)
			dst := d.ptr(y)
			if p.splits > 1 {
				scratch, class := d.alloc(4 * o * p.splits * k)
				defer d.release(scratch, class)
				dst = scratch
			}
			d.launch(kernel, dim3{int(min(p.blocks, maxBlocks)), 1, 1}, dim3{reduceThreads, 1, 1}, 0,
				dst, src, o, m, k, p.chunk, p.splits, p.w, p.r, p.q)
			if p.splits == 1 {
				return
			}
			src, m = dst, p.splits
		}
	})
}

// ceilDiv returns a/b rounded up, for a >= 0 and b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// ceilPow2 returns the least power of two at least n, for n >= 1.
func ceilPow2(n int) int { return 1 << bits.Len(uint(n-1)) }

// floorPow2 returns the greatest power of two at most n, for n >= 1.
func floorPow2(n int) int { return 1 << (bits.Len(uint(n)) - 1) }
