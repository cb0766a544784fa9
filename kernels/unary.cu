// Elementwise functions of float32 arrays of n elements (tensor.UnaryOp)
// and their gradients. Each derivative is written in terms of the
// function's output y, so a layer's backward needs only what its forward
// returned. Outputs may alias inputs: each element is read before it is
// written by the same thread.
#include <math.h>

#include "common.cuh"

namespace {

// Each function gives its value f(x) and, from that value y, the gradient
// dx = dy * f'(x), in the order of tensor.UnaryOp's formulas. expf and
// tanhf are CUDA's accurate versions: the PTX is built without
// --use_fast_math, which would swap in __expf.
struct Exp {
	static __device__ float f(float x) { return expf(x); }
	static __device__ float grad(float dy, float y) { return dy * y; }
};

// For x below about -88, e^-x overflows to infinity and f to 0, its limit.
struct Sigmoid {
	static __device__ float f(float x) { return 1.0f / (1.0f + expf(-x)); }
	static __device__ float grad(float dy, float y) { return dy * (y * (1.0f - y)); }
};

// 1-y^2 as (1-y)(1+y), as the CPU computes it: near saturation 1-y*y
// rounded y*y would lose the low bits that are the whole answer.
struct Tanh {
	static __device__ float f(float x) { return tanhf(x); }
	static __device__ float grad(float dy, float y) { return dy * ((1.0f - y) * (1.0f + y)); }
};

// y = F(x), the body of every function's kernel.
template <class F> __device__ void unary(float *y, const float *x, long long n)
{
	FOR_EACH(i, n) { y[i] = F::f(x[i]); }
}

// dx = dy * F'(x), from F's output y, the body of every gradient's kernel.
template <class F> __device__ void unary_grad(float *dx, const float *dy, const float *y, long long n)
{
	FOR_EACH(i, n) { dx[i] = F::grad(dy[i], y[i]); }
}

} // namespace

// The kernels of Unary and UnaryGrad, named for the function.
extern "C" __global__ void exp_f32(float *y, const float *x, long long n) { unary<Exp>(y, x, n); }
extern "C" __global__ void sigmoid_f32(float *y, const float *x, long long n) { unary<Sigmoid>(y, x, n); }
extern "C" __global__ void tanh_f32(float *y, const float *x, long long n) { unary<Tanh>(y, x, n); }

extern "C" __global__ void exp_grad_f32(float *dx, const float *dy, const float *y, long long n)
{
	unary_grad<Exp>(dx, dy, y, n);
}
extern "C" __global__ void sigmoid_grad_f32(float *dx, const float *dy, const float *y, long long n)
{
	unary_grad<Sigmoid>(dx, dy, y, n);
}
extern "C" __global__ void tanh_grad_f32(float *dx, const float *dy, const float *y, long long n)
{
	unary_grad<Tanh>(dx, dy, y, n);
}
