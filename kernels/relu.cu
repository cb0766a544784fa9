// ReLU and its gradient on float32 arrays of n elements; outputs may alias
// inputs.
#include "common.cuh"

// y = max(x, 0). Written as a comparison so that a NaN passes through, as
// Go's max does on the CPU, instead of being hidden as fmaxf would.
extern "C" __global__ void relu_f32(float *y, const float *x, long long n)
{
	FOR_EACH(i, n)
	{
		float v = x[i];
		y[i] = v < 0.0f ? 0.0f : v;
	}
}

// dx = dy where the ReLU's output y is positive, 0 elsewhere.
extern "C" __global__ void relu_grad_f32(float *dx, const float *dy, const float *y, long long n)
{
	FOR_EACH(i, n) { dx[i] = y[i] > 0.0f ? dy[i] : 0.0f; }
}
