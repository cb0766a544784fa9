// Elementwise arithmetic on float32 arrays of n elements. Outputs may alias
// inputs: each element is read before it is written by the same thread.
#include "common.cuh"

// y += alpha*x
extern "C" __global__ void axpy_f32(float *y, const float *x, float alpha, long long n)
{
	FOR_EACH(i, n) { y[i] += alpha * x[i]; }
}

// x *= alpha
extern "C" __global__ void scale_f32(float *x, float alpha, long long n)
{
	FOR_EACH(i, n) { x[i] *= alpha; }
}

// z = x*y
extern "C" __global__ void mul_f32(float *z, const float *x, const float *y, long long n)
{
	FOR_EACH(i, n) { z[i] = x[i] * y[i]; }
}
