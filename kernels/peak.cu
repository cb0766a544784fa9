// Peak-throughput probes: kernels that do nothing but arithmetic, so the
// benchmarks report the other kernels' speed as a share of what this GPU
// measurably does rather than of a data-sheet figure. Each thread writes
// one float of out so the compiler keeps the arithmetic.

#include "mma.cuh"

// Independent FMA chains per thread: enough to hide the FMA latency (4
// cycles) with one warp per scheduler.
#define PEAK_FMA_CHAINS 8

// Every thread runs PEAK_FMA_CHAINS chains of iters FP32 FMAs (2 FLOP
// each). a = a*x + y converges to y/(1-x) for |x| < 1, so nothing
// overflows, and x and y are arguments, so the loop cannot be folded.
extern "C" __global__ void peak_fma_f32(float *out, float x, float y, int iters)
{
	float a[PEAK_FMA_CHAINS];
#pragma unroll
	for (int c = 0; c < PEAK_FMA_CHAINS; c++) {
		a[c] = (float)(threadIdx.x + c);
	}
	for (int i = 0; i < iters; i++) {
#pragma unroll
		for (int c = 0; c < PEAK_FMA_CHAINS; c++) {
			a[c] = fmaf(a[c], x, y);
		}
	}
	float s = 0.0f;
#pragma unroll
	for (int c = 0; c < PEAK_FMA_CHAINS; c++) {
		s += a[c];
	}
	out[(long long)blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// Independent accumulators per warp: a tensor-core instruction's latency
// is tens of cycles, so one chain per warp would measure latency.
#define PEAK_MMA_CHAINS 8

// MmaTf32 and MmaBf16 are the tensor-core instructions of the GEMM kernels
// (mma.cuh) with every element of A and B the same value: operand rounds x
// into that value's register, and mma adds one product to d.
struct MmaTf32 {
	static __device__ __forceinline__ unsigned operand(float x) { return to_tf32(x); }
	static __device__ __forceinline__ void mma(float (&d)[4], unsigned r)
	{
		const unsigned a[4] = {r, r, r, r}, b[2] = {r, r};
		mma_tf32(d, a, b);
	}
};

// MmaBf16's register holds two bfloat16 copies of x.
struct MmaBf16 {
	static __device__ __forceinline__ unsigned operand(float x) { return to_bf16x2(x, x); }
	static __device__ __forceinline__ void mma(float (&d)[4], unsigned r)
	{
		const unsigned a[4] = {r, r, r, r}, b[2] = {r, r};
		mma_bf16(d, a, b);
	}
};

// peak_mma runs, on every warp, PEAK_MMA_CHAINS chains of iters Mma
// products with FP32 accumulation. Every element of A and B is x; an
// accumulator grows by k*x*x per product (k = 8 or 16), which stays finite
// for small x.
template <class Mma>
__device__ __forceinline__ void peak_mma(float *out, float x, int iters)
{
	const unsigned a = Mma::operand(x);
	float d[PEAK_MMA_CHAINS][4];
#pragma unroll
	for (int c = 0; c < PEAK_MMA_CHAINS; c++) {
		d[c][0] = d[c][1] = d[c][2] = d[c][3] = 0.0f;
	}
	for (int i = 0; i < iters; i++) {
#pragma unroll
		for (int c = 0; c < PEAK_MMA_CHAINS; c++) {
			Mma::mma(d[c], a);
		}
	}
	float s = 0.0f;
#pragma unroll
	for (int c = 0; c < PEAK_MMA_CHAINS; c++) {
		s += d[c][0] + d[c][1] + d[c][2] + d[c][3];
	}
	out[(long long)blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// peak_mma_tf32 runs mma.sync m16n8k8 TF32 products (2*16*8*8 = 2048 FLOP
// each), the instruction of the TF32 GEMM.
extern "C" __global__ void peak_mma_tf32(float *out, float x, int iters) { peak_mma<MmaTf32>(out, x, iters); }

// peak_mma_bf16 runs mma.sync m16n8k16 BF16 products (2*16*8*16 = 4096
// FLOP each), the instruction of the BF16 GEMM.
extern "C" __global__ void peak_mma_bf16(float *out, float x, int iters) { peak_mma<MmaBf16>(out, x, iters); }
