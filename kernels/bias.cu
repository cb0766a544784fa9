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
#define BIAS_GRAD_THREADS 256

// db[c] += sum over n and k of dy[n, c, k]. One block per channel: each
// thread sums a fixed strided share in double, then the block adds the
// shares in a fixed tree in shared memory, so the result does not depend
// on scheduling and loses little to rounding even for large batches.
extern "C" __global__ void bias_grad_f32(float *db, const float *dy, long long outer, int C, long long inner)
{
	__shared__ double part[BIAS_GRAD_THREADS];
	int c = blockIdx.x;
	long long m = outer * inner;
	double s = 0.0;
	for (long long j = threadIdx.x; j < m; j += BIAS_GRAD_THREADS) {
		long long n = j / inner, k = j - n * inner;
		s += dy[(n * C + c) * inner + k];
	}
	part[threadIdx.x] = s;
	__syncthreads();
	for (int half = BIAS_GRAD_THREADS / 2; half > 0; half /= 2) {
		if (threadIdx.x < half) {
			part[threadIdx.x] += part[threadIdx.x + half];
		}
		__syncthreads();
	}
	if (threadIdx.x == 0) {
		db[c] += (float)part[0];
	}
}
