// gathercheck runs the gathers of kernels/conv_gather.cuh on the CPU, one
// simulated thread after another, so that the kernels package's tests can
// compare what the CUDA source copies into a tile with convmap.View.At.
// The GPU-only pieces the header uses (cp_async4, __ldg, threadIdx, int4)
// are replaced by plain C++ below; the copy happens at once.
//
// Input, on stdin, one case after another, whitespace-separated:
//
//	kind bk kmajor div mn0 mnEnd k0 kEnd
//	nwords word...   (convmap.View.Words)
//	nx               (the tensor holds x[i] = i + 1)
//
// kind 0 runs GatherMN (columns along the tile's MN side), kind 1 gather_k
// (columns along k); bk is 16 or 32, kmajor the tile's layout, div the
// strided variant. For each case it prints one line of TileMN*bk numbers,
// element (mn, k) at mn*bk + k: the offset in x that element was copied
// from, -1 for a zero, or -2 if no thread wrote it.
#include <cstdio>
#include <vector>

#define __device__
#define __forceinline__ inline

struct int4 {
	int x, y, z, w;
};
static inline int4 make_int4(int x, int y, int z, int w) { return int4{x, y, z, w}; }
template <class T> static inline T __ldg(const T *p) { return *p; }
static struct {
	unsigned x;
} threadIdx;
constexpr int kThreads = 256, kTile = 128;
static inline void cp_async4(float *dst, const float *src, int bytes) { *dst = bytes == 4 ? *src : 0.0f; }

#include "../../conv_gather.cuh"

// Tile stands in for gemm_core.cuh's Tile: only the element order matters.
template <int BK, bool KMAJOR> struct Tile {
	static int at(int mn, int k) { return KMAJOR ? k * kTile + mn : mn * BK + k; }
};

struct Case {
	int kind, bk, kmajor, div, mn0, mnEnd, k0, kEnd;
};

template <int BK, bool KMAJOR, bool DIV>
static void run(const Case &c, const View &v, std::vector<float> &s)
{
	using T = Tile<BK, KMAJOR>;
	for (unsigned tid = 0; tid < kThreads; ++tid) {
		threadIdx.x = tid;
		if (c.kind == 0) {
			const GatherMN<T, BK, DIV> g(v, c.mn0, c.mnEnd);
			g.load(s.data(), v, c.k0, c.kEnd);
		} else {
			gather_k<T, BK>(s.data(), v, c.mn0, c.mnEnd, c.k0, c.kEnd);
		}
	}
}

template <int BK>
static void dispatch(const Case &c, const View &v, std::vector<float> &s)
{
	if (c.kmajor)
		c.div ? run<BK, true, true>(c, v, s) : run<BK, true, false>(c, v, s);
	else
		c.div ? run<BK, false, true>(c, v, s) : run<BK, false, false>(c, v, s);
}

int main()
{
	Case c;
	while (scanf("%d %d %d %d %d %d %d %d", &c.kind, &c.bk, &c.kmajor, &c.div, &c.mn0, &c.mnEnd, &c.k0, &c.kEnd) == 8) {
		int nw = 0, nx = 0;
		if (scanf("%d", &nw) != 1)
			return 1;
		std::vector<int> words(nw);
		for (int &w : words)
			if (scanf("%d", &w) != 1)
				return 1;
		if (scanf("%d", &nx) != 1)
			return 1;
		std::vector<float> x(nx);
		for (int i = 0; i < nx; ++i)
			x[i] = float(i + 1);
		const int unwritten = -3;
		std::vector<float> s(kTile * c.bk, float(unwritten));
		const View v(x.data(), words.data());
		if (c.bk == 16)
			dispatch<16>(c, v, s);
		else if (c.bk == 32)
			dispatch<32>(c, v, s);
		else
			return 1;
		const bool kmajor = c.kmajor != 0;
		for (int mn = 0; mn < kTile; ++mn)
			for (int k = 0; k < c.bk; ++k) {
				const float e = s[kmajor ? k * kTile + mn : mn * c.bk + k];
				printf("%d ", e == float(unwritten) ? -2 : int(e) - 1);
			}
		printf("\n");
	}
	return 0;
}
