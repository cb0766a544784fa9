// Sums and maxima of x viewed as [outer, n, inner] over its middle axis,
// into y [outer, inner] (tensor.ReduceOp). A long axis takes several
// passes: the host splits it into chunks, a pass writes one partial per
// chunk to a scratch [outer, splits, inner], and the next pass reduces
// that. The host picks the layout and the splits from (outer, n, inner)
// alone, and every element is combined in an order they fix, so a sum has
// the same bits on every run; there are no atomics.
#include <math.h>

#include "common.cuh"

// REDUCE_THREADS is the block size the kernels must be launched with.
#define REDUCE_THREADS 256

namespace {

// Sum accumulates in double, as bias_grad_f32 does: a long sum of float32
// values then loses almost nothing before its final rounding.
struct Sum {
	typedef double Acc;
	static __device__ Acc identity() { return 0.0; }
	static __device__ Acc combine(Acc a, Acc b) { return a + b; }
};

// Max is NaN when either operand is: fmaxf alone returns the other one.
struct Max {
	typedef float Acc;
	static __device__ Acc identity() { return -INFINITY; }
	static __device__ Acc combine(Acc a, Acc b) { return isnan(a) || isnan(b) ? a + b : fmaxf(a, b); }
};

// reduce is the body of the kernels. The block's threads are laid out as Q
// rows of R phases of W lanes, t = (q*R + r)*W + w (threads past Q*R*W
// idle): a block takes a tile of Q rows o and W columns k, and one chunk s
// of the middle axis, [s*chunk, (s+1)*chunk). Phase r of the tile's
// element (o, k) combines the chunk's elements j = r, r+R, r+2R, ... in
// increasing order, and the R phases are then combined in a fixed tree in
// shared memory (R is a power of two). Consecutive lanes read consecutive
// columns, and when W is all of inner, consecutive phases read consecutive
// rows, so a warp's loads are contiguous. The result of (o, s, k) goes to
// y[(o*splits + s)*inner + k]: the answer when splits is 1, else the
// partial for the next pass. Blocks take tiles in a grid-stride loop.
template <class Op>
__device__ void reduce(float *y, const float *x, long long outer, long long n, long long inner,
                       long long chunk, long long splits, int W, int R, int Q)
{
	typedef typename Op::Acc Acc;
	__shared__ Acc part[REDUCE_THREADS];
	int t = threadIdx.x;
	int w = t % W, r = t / W % R, q = t / (W * R);
	long long ktiles = (inner + W - 1) / W;
	long long blocks = (outer + Q - 1) / Q * ktiles * splits;
	for (long long b = blockIdx.x; b < blocks; b += gridDim.x) {
		long long s = b % splits, tile = b / splits;
		long long o = tile / ktiles * Q + q, k = tile % ktiles * W + w;
		bool mine = q < Q && o < outer && k < inner;
		Acc acc = Op::identity();
		if (mine) {
			long long j = s * chunk + r, end = min(n, (s + 1) * chunk);
			const float *p = x + (o * n + j) * inner + k;
#pragma unroll 4
			for (; j < end; j += R, p += R * inner) {
				acc = Op::combine(acc, *p);
			}
		}
		part[t] = acc;
		__syncthreads();
		for (int h = R / 2; h > 0; h /= 2) {
			if (q < Q && r < h) {
				part[t] = Op::combine(part[t], part[t + h * W]);
			}
			__syncthreads();
		}
		if (mine && r == 0) {
			y[(o * splits + s) * inner + k] = (float)part[t];
		}
	}
}

} // namespace

// The kernels of Reduce, named for the reduction.
extern "C" __global__ void reduce_sum_f32(float *y, const float *x, long long outer, long long n, long long inner,
                                          long long chunk, long long splits, int W, int R, int Q)
{
	reduce<Sum>(y, x, outer, n, inner, chunk, splits, W, R, Q);
}
extern "C" __global__ void reduce_max_f32(float *y, const float *x, long long outer, long long n, long long inner,
                                          long long chunk, long long splits, int W, int R, int Q)
{
	reduce<Max>(y, x, outer, n, inner, chunk, splits, W, R, Q);
}
