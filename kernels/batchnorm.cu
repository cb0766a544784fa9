// Batch normalisation of x [N, C, S] per channel c, over its count = N*S
// values (S is the product of the axes after C, 1 for [N, C]); see
// tensor.BatchNormArgs. The per-channel sums run one block per channel, each
// thread adding its share in order and the block adding the threads' sums
// in a fixed tree, in double: the same bits on every run, and no atomics.
// The elementwise parts run over the whole tensor in separate launches, so
// that every block is busy and dx may alias dy (the sums are read first).
#include <math.h>

#include "common.cuh"

// BATCHNORM_THREADS is the block size of the per-channel kernels: a power
// of two, for the tree.
#define BATCHNORM_THREADS 512

// BATCHNORM_UNROLL is how many values each thread loads before adding
// them: one block per channel is few blocks, so each thread keeps several
// loads in flight, as bias_grad_f32 does.
#define BATCHNORM_UNROLL 4

namespace {

// Channel walks thread t's share of channel c's values: t, t+T, t+2T, ...
// (T = BATCHNORM_THREADS) in (n, s) order. It steps (n, s) by T's quotient
// and remainder by S, so no 64-bit division is done per value.
struct Channel {
	long long N, S, stride, base, dn, ds, n, s;

	__device__ Channel(long long N, int C, long long S, int c)
	    : N(N), S(S), stride(C * S), base(c * S), dn(BATCHNORM_THREADS / S), ds(BATCHNORM_THREADS % S),
	      n(threadIdx.x / S), s(threadIdx.x % S)
	{
	}

	// next returns the offset in x of the next value, or -1 after the last.
	__device__ long long next()
	{
		if (n >= N) {
			return -1;
		}
		long long at = n * stride + base + s;
		n += dn;
		s += ds;
		if (s >= S) {
			s -= S;
			n++;
		}
		return at;
	}
};

// channel_sums sets sum[k] to the sums over channel c's values of the K
// terms that term(at, out) writes into out for the value at offset at; every
// thread of the block gets them. Each thread adds its share in order,
// BATCHNORM_UNROLL values at a time, then the block adds the threads' sums
// in a fixed tree. It synchronises the block, so every thread must call it.
template <int K, class Term>
__device__ void channel_sums(double (&sum)[K], long long N, int C, long long S, int c, Term term)
{
	__shared__ double part[K][BATCHNORM_THREADS];
	Channel ch(N, C, S, c);
	double acc[K] = {};
	for (bool more = true; more;) {
		double v[BATCHNORM_UNROLL][K];
		bool ok[BATCHNORM_UNROLL];
#pragma unroll
		for (int u = 0; u < BATCHNORM_UNROLL; u++) {
			long long at = ch.next();
			ok[u] = at >= 0;
			if (ok[u]) {
				term(at, v[u]);
			}
		}
#pragma unroll
		for (int u = 0; u < BATCHNORM_UNROLL; u++) {
#pragma unroll
			for (int k = 0; k < K; k++) {
				acc[k] += ok[u] ? v[u][k] : 0.0;
			}
		}
		more = ok[BATCHNORM_UNROLL - 1];
	}
	int t = threadIdx.x;
#pragma unroll
	for (int k = 0; k < K; k++) {
		part[k][t] = acc[k];
	}
	__syncthreads();
	for (int half = BATCHNORM_THREADS / 2; half > 0; half /= 2) {
		if (t < half) {
#pragma unroll
			for (int k = 0; k < K; k++) {
				part[k][t] += part[k][t + half];
			}
		}
		__syncthreads();
	}
#pragma unroll
	for (int k = 0; k < K; k++) {
		sum[k] = part[k][0];
	}
	// The next call may overwrite part only after every thread has read it.
	__syncthreads();
}

} // namespace

// Training statistics, one block per channel in a grid-stride loop: mean,
// then the biased variance as the mean of squared deviations from it (a
// second pass, which does not cancel as E[x^2] - mean^2 does), invstd =
// 1/sqrt(var + eps), and the running averages, the variance unbiased. The
// per-channel arithmetic is in double, rounded once, as the CPU's is.
extern "C" __global__ void batchnorm_stats_f32(float *mean, float *invstd, float *runmean, float *runvar,
                                               const float *x, long long N, int C, long long S, float eps,
                                               float momentum)
{
	double count = (double)N * S;
	for (int c = blockIdx.x; c < C; c += gridDim.x) {
		double sum[1];
		channel_sums(sum, N, C, S, c, [&](long long at, double(&v)[1]) { v[0] = x[at]; });
		double m = sum[0] / count;
		channel_sums(sum, N, C, S, c, [&](long long at, double(&v)[1]) {
			double d = x[at] - m;
			v[0] = d * d;
		});
		double var = sum[0] / count;
		if (threadIdx.x == 0) {
			double mo = momentum;
			mean[c] = (float)m;
			invstd[c] = (float)(1.0 / sqrt(var + eps));
			runmean[c] = (float)((1.0 - mo) * runmean[c] + mo * m);
			runvar[c] = (float)((1.0 - mo) * runvar[c] + mo * var * count / (count - 1.0));
		}
	}
}

// Evaluation statistics from the running ones: mean = runmean, invstd =
// 1/sqrt(runvar + eps) in double, rounded once. One thread per channel.
extern "C" __global__ void batchnorm_eval_stats_f32(float *mean, float *invstd, const float *runmean,
                                                    const float *runvar, float eps, long long C)
{
	FOR_EACH(c, C)
	{
		mean[c] = runmean[c];
		invstd[c] = (float)(1.0 / sqrt((double)runvar[c] + eps));
	}
}

// y = (x - mean[c]) * (invstd[c] * scale[c]) + shift[c] over all n
// elements, grouped as the CPU does.
extern "C" __global__ void batchnorm_f32(float *y, const float *x, const float *scale, const float *shift,
                                         const float *mean, const float *invstd, long long n, int C,
                                         long long S)
{
	FOR_EACH(i, n)
	{
		int c = (int)((i / S) % C);
		y[i] = (x[i] - mean[c]) * (invstd[c] * scale[c]) + shift[c];
	}
}

// The backward sums, one block per channel in a grid-stride loop: with
// xhat = (x - mean) * invstd, dshift[c] = beta*dshift[c] + sum(dy) and
// dscale[c] = beta*dscale[c] + sum(dy * xhat) (see put_sum). In training (means not null) it also writes means[c] =
// sum(dy)/count and means[C + c] = sum(dy * xhat)/count for
// batchnorm_grad_f32.
extern "C" __global__ void batchnorm_grad_reduce_f32(float *dscale, float *dshift, float *means, const float *dy,
                                                     const float *x, const float *mean, const float *invstd,
                                                     long long N, int C, long long S, float beta)
{
	double count = (double)N * S;
	for (int c = blockIdx.x; c < C; c += gridDim.x) {
		double mc = mean[c], ic = invstd[c];
		double sum[2];
		channel_sums(sum, N, C, S, c, [&](long long at, double(&v)[2]) {
			double g = dy[at];
			v[0] = g;
			v[1] = g * ((x[at] - mc) * ic);
		});
		if (threadIdx.x == 0) {
			put_sum(dshift + c, sum[0], beta);
			put_sum(dscale + c, sum[1], beta);
			if (means != nullptr) {
				means[c] = (float)(sum[0] / count);
				means[C + c] = (float)(sum[1] / count);
			}
		}
	}
}

// dx from dy over all n elements: with k = invstd[c]*scale[c], in training
// (means not null, from batchnorm_grad_reduce_f32) k*(dy - mean(dy) -
// xhat*mean(dy*xhat)), the statistics' dependence on x included; otherwise
// k*dy. dx may alias dy.
extern "C" __global__ void batchnorm_grad_f32(float *dx, const float *dy, const float *x, const float *scale,
                                              const float *mean, const float *invstd, const float *means,
                                              long long n, int C, long long S)
{
	FOR_EACH(i, n)
	{
		int c = (int)((i / S) % C);
		float g = dy[i];
		if (means != nullptr) {
			float xhat = (x[i] - mean[c]) * invstd[c];
			g = g - means[c] - xhat * means[C + c];
		}
		dx[i] = invstd[c] * scale[c] * g;
	}
}
