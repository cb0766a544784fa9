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

// MAXPOOL_GRAD_TILE is how many pixels of a plane a block accumulates in
// shared memory at a time (12 KiB: a whole 55 x 55 plane).
#define MAXPOOL_GRAD_TILE 3072

// dx = 0, then dx[argmax[o]] += dy[o] for every output o of the plane, in
// increasing o. Launched with one warp (32 threads) per block, a block per
// plane. The argmax may point anywhere in the plane, not only into o's
// window, so the kernel needs no window and routes any argmax.
//
// The warp loads 32 outputs at a time and broadcasts them one by one; of
// the 32 lanes, only the owner of the target pixel, lane (pixel % 32), adds
// it into the shared tile. Each pixel is therefore summed by one thread in
// output order: deterministic, without atomics, and bit for bit the order
// of a serial loop on the host. Every tile element is only ever touched by
// its owner lane (zeroing, adding, storing), so no synchronisation is
// needed between the phases.
extern "C" __global__ void maxpool_grad_f32(float *dx, const float *dy, const int *argmax,
                                            long long planes, int HW, int OHW)
{
	__shared__ float acc[MAXPOOL_GRAD_TILE];
	const unsigned all = 0xffffffffu;
	int lane = threadIdx.x;
	for (long long plane = blockIdx.x; plane < planes; plane += gridDim.x) {
		const float *g = dy + plane * OHW;
		const int *a = argmax + plane * OHW;
		float *out = dx + plane * HW;
		for (int t0 = 0; t0 < HW; t0 += MAXPOOL_GRAD_TILE) {
			int tn = min(MAXPOOL_GRAD_TILE, HW - t0);
			for (int j = lane; j < tn; j += 32) {
				acc[j] = 0.0f;
			}
			for (int o0 = 0; o0 < OHW; o0 += 32) {
				int mine = -1;
				float gv = 0.0f;
				if (o0 + lane < OHW) {
					mine = a[o0 + lane];
					gv = g[o0 + lane];
				}
				int count = min(32, OHW - o0);
				for (int j = 0; j < count; j++) {
					int q = __shfl_sync(all, mine, j) - t0;
					float v = __shfl_sync(all, gv, j);
					if (q >= 0 && q < tn && q % 32 == lane) {
						acc[q] += v;
					}
				}
			}
			for (int j = lane; j < tn; j += 32) {
				out[t0 + j] = acc[j];
			}
		}
	}
}
