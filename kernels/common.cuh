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
