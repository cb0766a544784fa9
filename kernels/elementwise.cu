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

// The copy of n/len blocks of len elements (tensor.Blocks), block b from
// src + b*src_stride to dst + b*dst_stride: one element a step of the
// grid-stride loop over all n, so a concatenation of any batch is one
// launch.
extern "C" __global__ void copy_blocks_f32(float *dst, const float *src, long long len, long long dst_stride,
					   long long src_stride, long long n)
{
	FOR_EACH(i, n)
	{
		const long long b = i / len, j = i - b * len;
		dst[b * dst_stride + j] = src[b * src_stride + j];
	}
}

namespace {

// The operations of tensor.BinaryOp, one struct each for binary.
struct Add {
	static __device__ float op(float x, float y) { return x + y; }
};
struct Sub {
	static __device__ float op(float x, float y) { return x - y; }
};
struct Mul {
	static __device__ float op(float x, float y) { return x * y; }
};

// z = Op(x, y), the body of every binary kernel.
template <class Op> __device__ void binary(float *z, const float *x, const float *y, long long n)
{
	FOR_EACH(i, n) { z[i] = Op::op(x[i], y[i]); }
}

} // namespace

// z = x+y, x-y, x*y: the kernels of Binary, named for the operation.
extern "C" __global__ void add_f32(float *z, const float *x, const float *y, long long n)
{
	binary<Add>(z, x, y, n);
}
extern "C" __global__ void sub_f32(float *z, const float *x, const float *y, long long n)
{
	binary<Sub>(z, x, y, n);
}
extern "C" __global__ void mul_f32(float *z, const float *x, const float *y, long long n)
{
	binary<Mul>(z, x, y, n);
}
