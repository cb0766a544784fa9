// Per-channel bias of activations y [outer, C, inner]: outer is the batch,
// inner the pixels of a plane (1 after a Linear layer).
#include "common.cuh"

// y[n, c, k] += b[c]
extern "C" __global__ void bias_add_f32(float *y, const float *b, long long n, int C, long long inner)
{
	FOR_EACH(i, n) { y[i] += b[(i / inner) % C]; }
}

// BIAS_GRAD_THREADS is the block size bias_grad_f32 must be launched with:
// a power of two, for the tree reduction.
#define BIAS_GRAD_THREADS 512

// BIAS_GRAD_UNROLL is how many loads each thread issues before adding them:
// one block per channel is few blocks, so each thread keeps several loads
// in flight to approach the memory bandwidth.
#define BIAS_GRAD_UNROLL 4

// db[c] = beta*db[c] + sum over n and k of dy[n, c, k] (see put_sum). One
// block per channel: thread t sums, in double, the elements t, t + T,
// t + 2T, ... (T threads) of the channel taken in (n, k) order, then the
// block adds the threads' sums in a fixed tree in shared memory. The result
// does not depend on scheduling and loses little to rounding even for large
// batches.
extern "C" __global__ void bias_grad_f32(float *db, const float *dy, long long outer, int C, long long inner,
				     float beta)
{
	__shared__ double part[BIAS_GRAD_THREADS];
	int c = blockIdx.x;
	long long m = outer * inner;
	double s = 0.0;
	for (long long j0 = threadIdx.x; j0 < m; j0 += BIAS_GRAD_UNROLL * BIAS_GRAD_THREADS) {
		float v[BIAS_GRAD_UNROLL];
#pragma unroll
		for (int u = 0; u < BIAS_GRAD_UNROLL; u++) {
			long long j = j0 + u * BIAS_GRAD_THREADS;
			v[u] = 0.0f;
			if (j < m) {
				long long n = j / inner;
				v[u] = dy[(n * C + c) * inner + (j - n * inner)];
			}
		}
#pragma unroll
		for (int u = 0; u < BIAS_GRAD_UNROLL; u++) {
			s += v[u];
		}
	}
	part[threadIdx.x] = s;
	__syncthreads();
	for (unsigned half = BIAS_GRAD_THREADS / 2; half > 0; half /= 2) {
		if (threadIdx.x < half) {
			part[threadIdx.x] += part[threadIdx.x + half];
		}
		__syncthreads();
	}
	if (threadIdx.x == 0) {
		put_sum(db + c, part[0], beta);
	}
}
