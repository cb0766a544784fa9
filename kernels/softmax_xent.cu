// Softmax cross-entropy of logits [N, K] against int labels, in two
// launches: a warp per row, then one block that reduces the rows in a fixed
// order, so the loss is the same on every run. The loss and the count stay
// on the device.
#include <math.h>

#include "common.cuh"

// best keeps the larger of two (value, index) candidates, the smaller index
// on a tie; index K marks an empty candidate.
__device__ void best(float *m, int *at, float m2, int at2, int K)
{
	if (at2 != K && (*at == K || m2 > *m || (m2 == *m && at2 < *at))) {
		*m = m2;
		*at = at2;
	}
}

// For each row r: rowloss[r] = log(sum_k exp(z_k - max)) - (z_label - max),
// rowcorrect[r] = 1 when the first maximal logit is the label, and, unless
// dlogits is null, dlogits[r, k] = (softmax_k - [k == label]) * invN. A
// label outside [0, K) gives a NaN loss and no one-hot term. Launched with
// blocks of whole warps; each warp takes rows in a grid-stride loop.
extern "C" __global__ void softmax_xent_rows_f32(float *dlogits, float *rowloss, int *rowcorrect,
                                                 const float *logits, const int *labels, int N, int K,
                                                 float invN)
{
	const unsigned all = 0xffffffffu;
	int lane = threadIdx.x % 32;
	long long warps = (long long)gridDim.x * blockDim.x / 32;
	for (long long r = ((long long)blockIdx.x * blockDim.x + threadIdx.x) / 32; r < N; r += warps) {
		const float *z = logits + r * K;
		int label = labels[r];

		float m = 0.0f;
		int at = K;
		for (int k = lane; k < K; k += 32) {
			best(&m, &at, z[k], k, K);
		}
		for (int off = 16; off > 0; off /= 2) {
			best(&m, &at, __shfl_down_sync(all, m, off), __shfl_down_sync(all, at, off), K);
		}
		m = __shfl_sync(all, m, 0);
		at = __shfl_sync(all, at, 0);

		float s = 0.0f;
		for (int k = lane; k < K; k += 32) {
			s += expf(z[k] - m);
		}
		for (int off = 16; off > 0; off /= 2) {
			s += __shfl_down_sync(all, s, off);
		}
		// Lane 0 holds the sum; every lane uses that one value.
		s = __shfl_sync(all, s, 0);

		bool valid = label >= 0 && label < K;
		if (lane == 0) {
			rowloss[r] = valid ? logf(s) - (z[label] - m) : nanf("");
			rowcorrect[r] = at == label;
		}
		if (dlogits != nullptr) {
			float *d = dlogits + r * K;
			for (int k = lane; k < K; k += 32) {
				float q = expf(z[k] - m) / s;
				if (k == label) {
					q -= 1.0f;
				}
				d[k] = q * invN;
			}
		}
	}
}

// SOFTMAX_XENT_REDUCE_THREADS is the block size softmax_xent_reduce must be
// launched with (one block): a power of two, for the tree reduction.
#define SOFTMAX_XENT_REDUCE_THREADS 256

// loss[0] = the mean of rowloss (summed in double), correct[0] = the sum of
// rowcorrect, each over a fixed strided share per thread and then a fixed
// tree.
extern "C" __global__ void softmax_xent_reduce(float *loss, int *correct, const float *rowloss,
                                               const int *rowcorrect, int N)
{
	__shared__ double ls[SOFTMAX_XENT_REDUCE_THREADS];
	__shared__ int cs[SOFTMAX_XENT_REDUCE_THREADS];
	int t = threadIdx.x;
	double s = 0.0;
	int c = 0;
	for (int r = t; r < N; r += SOFTMAX_XENT_REDUCE_THREADS) {
		s += rowloss[r];
		c += rowcorrect[r];
	}
	ls[t] = s;
	cs[t] = c;
	__syncthreads();
	for (int half = SOFTMAX_XENT_REDUCE_THREADS / 2; half > 0; half /= 2) {
		if (t < half) {
			ls[t] += ls[t + half];
			cs[t] += cs[t + half];
		}
		__syncthreads();
	}
	if (t == 0) {
		loss[0] = (float)(ls[0] / N);
		correct[0] = cs[0];
	}
}
