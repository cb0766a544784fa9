// ReLU and its gradient on float32 arrays of n elements; outputs may alias
// inputs.
#include "common.cuh"

// y = max(x, 0) (relu in common.cuh).
extern "C" __global__ void relu_f32(float *y, const float *x, long long n)
{
	FOR_EACH(i, n) { y[i] = relu(x[i]); }
}

// dx = dy where the ReLU's output y is positive, 0 elsewhere.
extern "C" __global__ void relu_grad_f32(float *dx, const float *dy, const float *y, long long n)
{
	FOR_EACH(i, n) { dx[i] = y[i] > 0.0f ? dy[i] : 0.0f; }
}
