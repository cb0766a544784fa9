// Convolution as a matrix product: im2col unfolds images into the columns
// a GEMM multiplies the weights with, col2im folds such columns back.
//
// Images are planes = N*C planes of H x W; columns are [N, C*KH*KW, OH*OW]
// with row (c, kh, kw) and column (oh, ow), which is why the row of (plane,
// kh, kw) is plane*KH*KW + kh*KW + kw. Output (oh, ow) with kernel offset
// (kh, kw) reads pixel (oh*SH - PH + kh, ow*SW - PW + kw), or 0 where that
// lies in the padding.
#include "common.cuh"

// cols = im2col(x). One thread per (plane, oh, ow) writes the KH*KW column
// entries of that output position; neighbouring threads write neighbouring
// columns, so the stores coalesce.
extern "C" __global__ void im2col_f32(float *cols, const float *x, long long planes,
                                      int H, int W, int KH, int KW, int SH, int SW,
                                      int PH, int PW, int OH, int OW)
{
	long long ohw = (long long)OH * OW;
	FOR_EACH(i, planes * ohw)
	{
		long long plane = i / ohw;
		int p = (int)(i - plane * ohw);
		int oh = p / OW, ow = p - oh * OW;
		const float *xp = x + plane * ((long long)H * W);
		float *cp = cols + plane * KH * KW * ohw + p;
		for (int kh = 0; kh < KH; kh++) {
			int h = oh * SH - PH + kh;
			for (int kw = 0; kw < KW; kw++) {
				int w = ow * SW - PW + kw;
				float v = 0.0f;
				if (h >= 0 && h < H && w >= 0 && w < W) {
					v = xp[h * W + w];
				}
				cp[(kh * KW + kw) * ohw] = v;
			}
		}
	}
}

// dx = col2im(cols), in gather form: one thread per pixel sums the column
// entries that im2col filled from it, so there are no atomics and the sum
// runs in one fixed order (kh, then kw, ascending). Pixel row h is read by
// kernel row kh from output row oh exactly when h + PH = oh*SH + kh, so kh
// runs over the residue of h + PH modulo SH, up to h + PH (oh >= 0).
extern "C" __global__ void col2im_f32(float *dx, const float *cols, long long planes,
                                      int H, int W, int KH, int KW, int SH, int SW,
                                      int PH, int PW, int OH, int OW)
{
	long long hw = (long long)H * W, ohw = (long long)OH * OW;
	FOR_EACH(i, planes * hw)
	{
		long long plane = i / hw;
		int p = (int)(i - plane * hw);
		int hp = p / W + PH, wp = p % W + PW;
		const float *cp = cols + plane * KH * KW * ohw;
		float s = 0.0f;
		for (int kh = hp % SH; kh < KH && kh <= hp; kh += SH) {
			int oh = (hp - kh) / SH;
			if (oh >= OH) {
				continue;
			}
			for (int kw = wp % SW; kw < KW && kw <= wp; kw += SW) {
				int ow = (wp - kw) / SW;
				if (ow >= OW) {
					continue;
				}
				s += cp[(kh * KW + kw) * ohw + oh * OW + ow];
			}
		}
		dx[i] = s;
	}
}
