// Bilinear resize of planes of H x W into OH x OW, sampled as PyTorch's
// F.interpolate(mode="bilinear", align_corners=False) without antialiasing.
#include "common.cuh"

// texel reads source element i as a float: float32 as it is, uint8 pixels
// as value/255.
__device__ float texel(const float *s, long long i) { return s[i]; }
__device__ float texel(const unsigned char *s, long long i) { return (float)s[i] / 255.0f; }

// source returns the lower source index and the weight of the upper one
// for output position o along a dimension resized from in to out elements:
// src = (o + 0.5)*in/out - 0.5, clamped below at 0. The product and the
// difference are rounded separately (no fused multiply-add), as on the
// CPU, so both devices sample the same positions.
__device__ void source(int o, int in, int out, int *i0, float *l1)
{
	float scale = (float)in / (float)out;
	float src = fmaxf(__fadd_rn(__fmul_rn(scale, (float)o + 0.5f), -0.5f), 0.0f);
	int i = min((int)src, in - 1);
	*i0 = i;
	*l1 = fminf(src - (float)i, 1.0f);
}

// resize writes one output per thread; the upper neighbour is clamped to
// the last row or column.
template <typename T>
__device__ void resize(float *dst, const T *src, long long planes, int H, int W, int OH, int OW)
{
	long long ohw = (long long)OH * OW;
	FOR_EACH(i, planes * ohw)
	{
		long long plane = i / ohw;
		int p = (int)(i - plane * ohw);
		int oy = p / OW, ox = p - oy * OW;
		int y0, x0;
		float ly, lx;
		source(oy, H, OH, &y0, &ly);
		source(ox, W, OW, &x0, &lx);
		int y1 = min(y0 + 1, H - 1), x1 = min(x0 + 1, W - 1);
		const T *s = src + plane * ((long long)H * W);
		float top = (1.0f - lx) * texel(s, y0 * W + x0) + lx * texel(s, y0 * W + x1);
		float bottom = (1.0f - lx) * texel(s, y1 * W + x0) + lx * texel(s, y1 * W + x1);
		dst[i] = (1.0f - ly) * top + ly * bottom;
	}
}

// dst = resize(src) for float32 src.
extern "C" __global__ void resize_f32(float *dst, const float *src, long long planes, int H, int W, int OH, int OW)
{
	resize(dst, src, planes, H, W, OH, OW);
}

// dst = resize(src/255) for uint8 src.
extern "C" __global__ void resize_u8(float *dst, const unsigned char *src, long long planes, int H, int W, int OH,
                                     int OW)
{
	resize(dst, src, planes, H, W, OH, OW);
}
