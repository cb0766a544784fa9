// Average pooling over planes = N*C planes of H x W into OH x OW, padding
// counted as zeros: every window's sum is divided by KH*KW (PyTorch's
// AvgPool2d with count_include_pad=True).
#include "common.cuh"

// y = the sum of each window's pixels inside the plane, in row-major order,
// divided by KH*KW. One thread per output.
extern "C" __global__ void avgpool_f32(float *y, const float *x, long long planes, int H, int W, int KH, int KW,
                                       int SH, int SW, int PH, int PW, int OH, int OW)
{
	long long ohw = (long long)OH * OW;
	FOR_EACH(i, planes * ohw)
	{
		long long plane = i / ohw;
		int p = (int)(i - plane * ohw);
		PoolWindow win = pool_window(p, H, W, KH, KW, SH, SW, PH, PW, OW);
		const float *xp = x + plane * ((long long)H * W);
		float s = 0.0f;
		for (int h = win.h0; h < win.h1; h++) {
			for (int w = win.w0; w < win.w1; w++) {
				s += xp[h * W + w];
			}
		}
		y[i] = s / (float)(KH * KW);
	}
}

// dx = the sum of dy over the windows that hold each pixel (covering),
// divided by KH*KW: a gather, one thread per pixel adding its windows in
// row-major order, so there are no atomics and the order is fixed.
extern "C" __global__ void avgpool_grad_f32(float *dx, const float *dy, long long planes, int H, int W, int KH,
                                            int KW, int SH, int SW, int PH, int PW, int OH, int OW)
{
	long long hw = (long long)H * W;
	FOR_EACH(i, planes * hw)
	{
		long long plane = i / hw;
		Covering c = covering((int)(i - plane * hw), W, KH, KW, SH, SW, PH, PW, OH, OW);
		const float *g = dy + plane * ((long long)OH * OW);
		float s = 0.0f;
		for (int oh = c.oh0; oh <= c.oh1; oh++) {
			for (int ow = c.ow0; ow <= c.ow1; ow++) {
				s += g[oh * OW + ow];
			}
		}
		dx[i] = s / (float)(KH * KW);
	}
}
