// Max-pooling over planes = N*C planes of H x W into OH x OW, keeping for
// every output the index h*W + w, within its input plane, of the pixel that
// won.
#include "common.cuh"

// y = the maximum of each window, argmax = where it is. One thread per
// output scans the part of its window inside the plane in row-major order
// and moves only on a strictly greater value, so padding never wins and
// ties go to the first pixel. (With padding at most half the kernel, every
// window holds at least one pixel; an empty one would give argmax -1.)
extern "C" __global__ void maxpool_f32(float *y, int *argmax, const float *x, long long planes,
                                       int H, int W, int KH, int KW, int SH, int SW,
                                       int PH, int PW, int OH, int OW)
{
	long long ohw = (long long)OH * OW;
	FOR_EACH(i, planes * ohw)
	{
		long long plane = i / ohw;
		int p = (int)(i - plane * ohw);
		PoolWindow win = pool_window(p, H, W, KH, KW, SH, SW, PH, PW, OW);
		const float *xp = x + plane * ((long long)H * W);
		float best = 0.0f;
		int at = -1;
		for (int h = win.h0; h < win.h1; h++) {
			for (int w = win.w0; w < win.w1; w++) {
				float v = xp[h * W + w];
				if (at < 0 || v > best) {
					best = v;
					at = h * W + w;
				}
			}
		}
		y[i] = best;
		argmax[i] = at;
	}
}

// dx = the sum of dy over the outputs whose argmax is each pixel: a gather,
// one thread per pixel visiting the outputs whose windows hold it
// (covering) in increasing order, the order in which a serial loop over
// the outputs would add them, so the sums are the CPU's to the bit, with no
// atomics. MaxPool's argmax always lies in its output's window, so no other
// output can point at the pixel. Unless mask is null, a pixel whose mask is
// not positive gets 0: the gradient of the ReLU before the pool, whose
// output mask is, folded in (relu_grad_f32's test).
extern "C" __global__ void maxpool_grad_f32(float *dx, const float *dy, const int *argmax, const float *mask,
                                            long long planes, int H, int W, int KH, int KW, int SH, int SW, int PH,
                                            int PW, int OH, int OW)
{
	long long hw = (long long)H * W, ohw = (long long)OH * OW;
	FOR_EACH(i, planes * hw)
	{
		long long plane = i / hw;
		int p = (int)(i - plane * hw);
		Covering c = covering(p, W, KH, KW, SH, SW, PH, PW, OH, OW);
		const float *g = dy + plane * ohw;
		const int *a = argmax + plane * ohw;
		float s = 0.0f;
		for (int oh = c.oh0; oh <= c.oh1; oh++) {
			for (int ow = c.ow0; ow <= c.ow1; ow++) {
				if (a[oh * OW + ow] == p) {
					s += g[oh * OW + ow];
				}
			}
		}
		dx[i] = mask && !(mask[i] > 0.0f) ? 0.0f : s;
	}
}
