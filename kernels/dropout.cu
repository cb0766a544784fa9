// Dropout with the counter-based generator of tensor.DropoutUniform: the
// mask of element i depends only on the seed and i, so the GPU drops
// exactly the units the CPU drops.
#include "common.cuh"

// dropout_uniform is tensor.DropoutUniform: a SplitMix64 finaliser of
// seed + (i+1)*golden, in unsigned 64-bit arithmetic that wraps as Go's
// does, whose top 24 bits scaled by 2^-24 (exactly) give [0, 1).
__device__ float dropout_uniform(unsigned long long seed, unsigned long long i)
{
	unsigned long long z = seed + (i + 1ull) * 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (float)(z >> 40) * (1.0f / 16777216.0f);
}

// mask[i] = scale where element i is kept (uniform >= p), else 0, and
// y = x*mask. scale is 1/(1-p), computed on the host in float32 as the CPU
// does. y may alias x.
extern "C" __global__ void dropout_f32(float *y, float *mask, const float *x, float p, float scale,
                                       unsigned long long seed, long long n)
{
	FOR_EACH(i, n)
	{
		float m = dropout_uniform(seed, (unsigned long long)i) >= p ? scale : 0.0f;
		float v = x[i];
		mask[i] = m;
		y[i] = v * m;
	}
}
