// Max-pooling over planes = N*C planes of H x W into OH x OW, keeping for
// every output the index h*W + w, within its input plane, of the pixel that
// won. x, y and the mask are activations stored in float32, or in bfloat16
// where their flags (x16, y16, m16) say so (common.cuh).
#include "common.cuh"

// y = the maximum of each window, argmax = where it is. One thread per
// output scans the part of its window inside the plane in row-major order
// and moves only on a strictly greater value, so padding never wins and
// ties go to the first pixel. (With padding at most half the kernel, every
// window holds at least one pixel; an empty one would give argmax -1.) A
// bfloat16 y is the float32 maximum rounded, and rounding keeps the order,
// so the argmax does not depend on y's type.
extern "C" __global__ void maxpool_f32(void *y, int *argmax, const void *x, long long planes,
                                       int H, int W, int KH, int KW, int SH, int SW,
                                       int PH, int PW, int OH, int OW, int x16, int y16)
{
	long long ohw = (long long)OH * OW;
	FOR_EACH(i, planes * ohw)
	{
		long long plane = i / ohw;
		int p = (int)(i - plane * ohw);
		PoolWindow win = pool_window(p, H, W, KH, KW, SH, SW, PH, PW, OW);
		const long long xp = plane * ((long long)H * W);
		float best = 0.0f;
		int at = -1;
		for (int h = win.h0; h < win.h1; h++) {
			for (int w = win.w0; w < win.w1; w++) {
				float v = load_act(x, xp + h * W + w, x16);
				if (at < 0 || v > best) {
					best = v;
					at = h * W + w;
				}
			}
		}
		store_act(y, i, best, y16);
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
extern "C" __global__ void maxpool_grad_f32(float *dx, const float *dy, const int *argmax, const void *mask,
                                            long long planes, int H, int W, int KH, int KW, int SH, int SW, int PH,
                                            int PW, int OH, int OW, int m16)
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
		dx[i] = mask && !(load_act(mask, i, m16) > 0.0f) ? 0.0f : s;
	}
}
