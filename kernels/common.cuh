// Helpers shared by every kernel file.
//
// Element counts are 64-bit (long long) so that a tensor of more than 2^31
// elements is walked correctly; dimensions within one image plane stay
// 32-bit ints, which the Go side checks before launching.
#pragma once

// FOR_EACH walks i over [0, n) in a grid-stride loop: each thread starts at
// its global index and steps by the number of threads in the grid, so any
// grid size covers any n and the host may cap the grid.
#define FOR_EACH(i, n)                                                   \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; \
	     i < (n); i += (long long)blockDim.x * gridDim.x)

// relu returns max(v, 0), written as a comparison so that a NaN passes
// through, as Go's max does on the CPU, instead of being hidden as fmaxf
// would.
__device__ __forceinline__ float relu(float v) { return v < 0.0f ? 0.0f : v; }

// put_sum stores beta*(*g) + s into *g, rounded once to float: how a
// parameter's gradient summed in double (a bias, a batch normalisation's
// scale and shift) is written, as the CPU's withBeta does. With beta 0 it
// never reads *g, which may then hold anything, NaN included.
__device__ __forceinline__ void put_sum(float *g, double s, float beta)
{
	*g = beta == 0.0f ? (float)s : (float)((double)beta * *g + s);
}

// PoolWindow is the part of an H x W plane that output (oh, ow) of a
// pooling window covers: rows [h0, h1) and columns [w0, w1), the padding
// left out.
struct PoolWindow {
	int h0, h1, w0, w1;
};

// pool_window returns the window of output p = oh*OW + ow of its plane.
__device__ __forceinline__ PoolWindow pool_window(int p, int H, int W, int KH, int KW, int SH, int SW, int PH,
                                                  int PW, int OW)
{
	int oh = p / OW, ow = p - oh * OW;
	int h0 = oh * SH - PH, w0 = ow * SW - PW;
	return PoolWindow{max(h0, 0), min(h0 + KH, H), max(w0, 0), min(w0 + KW, W)};
}

// Covering is the range of outputs whose windows hold a pixel: rows [oh0,
// oh1] and columns [ow0, ow1], empty when a bound is below its start.
struct Covering {
	int oh0, oh1, ow0, ow1;
};

// covering returns the outputs of a pooling window that hold pixel p = h*W
// + w of its plane. Output row oh holds pixel row h when oh*SH <= h + PH <
// oh*SH + KH, that is for oh from ceil((h + PH - KH + 1) / SH) to
// floor((h + PH) / SH), within [0, OH); columns likewise.
__device__ __forceinline__ Covering covering(int p, int W, int KH, int KW, int SH, int SW, int PH, int PW, int OH,
                                             int OW)
{
	int hp = p / W + PH, wp = p % W + PW;
	return Covering{hp < KH ? 0 : (hp - KH + SH) / SH, min(hp / SH, OH - 1), wp < KW ? 0 : (wp - KW + SW) / SW,
	                min(wp / SW, OW - 1)};
}

// Activations may be stored in bfloat16 (tensor.BFloat16), float32's upper
// half: a kernel that takes one gets a flag saying which, and reads and
// writes it through these.
typedef unsigned short bf16_t;

// widen_bf16 returns the float32 a bfloat16 value stands for, exactly.
__device__ __forceinline__ float widen_bf16(bf16_t h) { return __uint_as_float((unsigned)h << 16); }

// round_bf16 rounds v to bfloat16 as the CPU's bf16.Round does, so that
// both devices store the same bits: to nearest with ties to even, a NaN
// kept quiet, a denormal (which the BF16 products treat as zero) made a
// zero of its sign. cvt.rn.bf16.f32 would keep denormals.
__device__ __forceinline__ bf16_t round_bf16(float v)
{
	const unsigned b = __float_as_uint(v), exp = b >> 23 & 0xff;
	if (exp == 0xff && (b & 0x7fffff) != 0)
		return (bf16_t)(b >> 16 | 0x40);
	if (exp == 0)
		return (bf16_t)(b >> 16 & 0x8000);
	return (bf16_t)((b + 0x7fff + (b >> 16 & 1)) >> 16);
}

// load_act returns element i of an activation, float32 or (h) bfloat16.
__device__ __forceinline__ float load_act(const void *p, long long i, int h)
{
	return h ? widen_bf16(static_cast<const bf16_t *>(p)[i]) : static_cast<const float *>(p)[i];
}

// store_act writes v to element i of an activation, float32 or (h)
// bfloat16, rounded.
__device__ __forceinline__ void store_act(void *p, long long i, float v, int h)
{
	if (h)
		static_cast<bf16_t *>(p)[i] = round_bf16(v);
	else
		static_cast<float *>(p)[i] = v;
}
