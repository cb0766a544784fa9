// hostcheck runs the convolution's and max-pooling's CUDA source on the
// CPU, so that the kernels package's tests can check it on a machine
// without a GPU. It compiles kernels/gemm.cu, conv.cu and maxpool.cu as C++ with stand-ins for
// what only a GPU has: each thread of a block is a std::thread,
// __syncthreads a barrier, shared memory a global array, and a cp.async
// copies at once (a valid schedule of an asynchronous copy). The exact
// FP32 math (F32) runs as written; the tensor-core maths' instructions
// (mma.sync, ldmatrix, cvt) have no stand-in and abort if reached.
//
// Commands on stdin, one after another, whitespace-separated; arrays are
// a length then that many numbers. Each prints one line of numbers.
//
//	gather kind bk kmajor div mn0 mnEnd k0 kEnd words nx
//	    Runs GatherMN (kind 0) or gather_k (kind 1) of conv_gather.cuh
//	    for every thread of a block into one tile (bk 16 or 32, kmajor its
//	    layout, div the strided variant) over a tensor of nx elements
//	    holding x[i] = i + 1, and prints element (mn, k) at mn*bk + k: the
//	    offset it was copied from, -1 for a zero, -2 if never written.
//	data strided relu M N K A X words bias mask C
//	    Launches conv_data_f32[_strided] over its grid with C as the
//	    output's initial contents (bias or mask of length 0: none; relu 1
//	    for the fused ReLU) and prints C.
//	weight M N K slices chunk XA wordsA XB wordsB C
//	    Launches conv_weight_f32 with `slices` blocks along z of chunk
//	    steps each (into a workspace, then gemm_reduce, when slices > 1),
//	    alpha 1 and beta 1 into C, and prints C.
//	permute O C KK W
//	    Runs conv_weight_t and prints its output.
//	maxpool planes H W KH KW SH SW PH PW X DY MASK
//	    Runs maxpool_f32 over X, then maxpool_grad_f32 with DY through
//	    the argmax it wrote and MASK (length 0: none), and prints y,
//	    argmax and dx on three lines.
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

using std::max;
using std::min;

#define __device__
#define __forceinline__ inline
#define __global__
#define __launch_bounds__(threads, blocks)
#define __shared__
// The PTX of the tensor-core maths: compiled, never run here.
#define volatile
#define asm(...) no_ptx()
[[noreturn]] static void no_ptx() { abort(); }
[[noreturn]] static void __trap() { abort(); }

struct int4 {
	int x, y, z, w;
};
static inline int4 make_int4(int x, int y, int z, int w) { return int4{x, y, z, w}; }
struct float2 {
	float x, y;
};
struct float4 {
	float x, y, z, w;
};
struct uint3 {
	unsigned x, y, z;
};
static thread_local uint3 threadIdx, blockIdx, blockDim, gridDim;
template <class T> static inline T __ldg(const T *p) { return *p; }
static inline float __uint_as_float(unsigned u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static std::barrier<> *block_barrier;
static void __syncthreads() { block_barrier->arrive_and_wait(); }

// The cp.async family copies at once; a wait has nothing left to wait for.
static void cp_async16(float *dst, const float *src, int bytes)
{
	for (int q = 0; q < 4; ++q)
		dst[q] = 4 * q < bytes ? src[q] : 0.0f;
}
static void cp_async4(float *dst, const float *src, int bytes) { *dst = bytes == 4 ? *src : 0.0f; }
static void cp_async_commit() {}
template <int N> static void cp_async_wait() {}
[[noreturn]] static void ldmatrix_x4(unsigned (&)[4], const float *) { abort(); }
static unsigned launch_smem;
static unsigned dynamic_smem_bytes() { return launch_smem; }

#include "../../conv.cu"
#include "../../gemm.cu"
#include "../../maxpool.cu"

// The dynamic shared memory of the block running now, which smem_ring
// declares in the kernels' anonymous namespace.
namespace {
float4 smem4[110592 / sizeof(float4)];
}

// launch runs kernel over a grid of gx by gz blocks of 256 threads, one
// block after another, with smem bytes of dynamic shared memory.
template <class F> static void launch(unsigned gx, unsigned gz, unsigned smem, F kernel)
{
	launch_smem = smem;
	for (unsigned z = 0; z < gz; ++z)
		for (unsigned x = 0; x < gx; ++x) {
			memset(smem4, 0xff, sizeof smem4); // NaN: a read of an unwritten element shows
			std::barrier<> bar(kThreads);
			block_barrier = &bar;
			std::vector<std::thread> threads;
			for (unsigned t = 0; t < kThreads; ++t)
				threads.emplace_back([=] {
					threadIdx = {t, 0, 0}, blockIdx = {x, 0, z};
					blockDim = {kThreads, 1, 1}, gridDim = {gx, 1, gz};
					kernel();
				});
			for (auto &t : threads)
				t.join();
		}
}

// serial runs a grid-stride kernel as one thread.
template <class F> static void serial(F kernel)
{
	threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
	kernel();
}

template <class T> static std::vector<T> array()
{
	int n;
	if (scanf("%d", &n) != 1 || n < 0)
		exit(2);
	std::vector<T> v(n);
	for (T &e : v) {
		double d;
		if (scanf("%lf", &d) != 1)
			exit(2);
		e = T(d);
	}
	return v;
}

static void print(const std::vector<float> &v)
{
	for (float f : v)
		printf("%.9g ", f);
	printf("\n");
}

static int tiles(int M, int N) { return ((M + kTile - 1) / kTile) * ((N + kTile - 1) / kTile); }

// The F32 math's dynamic shared memory: kStages*kStageFloats floats.
static const unsigned kF32Smem = F32<false, false>::kStages * F32<false, false>::kStageFloats * sizeof(float);

template <int BK, bool KMAJOR> struct HostTile {
	static int at(int mn, int k) { return KMAJOR ? k * kTile + mn : mn * BK + k; }
};

template <int BK, bool KMAJOR, bool DIV>
static void gather(int kind, const View &v, int mn0, int mnEnd, int k0, int kEnd, float *s)
{
	using T = HostTile<BK, KMAJOR>;
	for (unsigned t = 0; t < kThreads; ++t) {
		threadIdx = {t, 0, 0};
		if (kind == 0) {
			const GatherMN<T, BK, DIV> g(v, mn0, mnEnd);
			g.load(s, v, k0, kEnd);
		} else {
			gather_k<T, BK>(s, v, mn0, mnEnd, k0, kEnd);
		}
	}
}

static void gather_cmd()
{
	int kind, bk, kmajor, div, mn0, mnEnd, k0, kEnd, nx;
	if (scanf("%d %d %d %d %d %d %d %d", &kind, &bk, &kmajor, &div, &mn0, &mnEnd, &k0, &kEnd) != 8)
		exit(2);
	const std::vector<int> words = array<int>();
	if (scanf("%d", &nx) != 1)
		exit(2);
	std::vector<float> x(nx);
	for (int i = 0; i < nx; ++i)
		x[i] = float(i + 1);
	const float unwritten = -3;
	std::vector<float> s(kTile * bk, unwritten);
	const View v(x.data(), words.data());
	const int key = (bk == 32) * 4 + kmajor * 2 + div;
	switch (key) {
	case 0: gather<16, false, false>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	case 1: gather<16, false, true>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	case 2: gather<16, true, false>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	case 3: gather<16, true, true>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	case 4: gather<32, false, false>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	case 5: gather<32, false, true>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	case 6: gather<32, true, false>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	default: gather<32, true, true>(kind, v, mn0, mnEnd, k0, kEnd, s.data()); break;
	}
	for (int mn = 0; mn < kTile; ++mn)
		for (int k = 0; k < bk; ++k) {
			const float e = s[kmajor ? k * kTile + mn : mn * bk + k];
			printf("%d ", e == unwritten ? -2 : int(e) - 1);
		}
	printf("\n");
}

static void data_cmd()
{
	int strided, withReLU, M, N, K;
	if (scanf("%d %d %d %d %d", &strided, &withReLU, &M, &N, &K) != 5)
		exit(2);
	const std::vector<float> A = array<float>(), X = array<float>();
	const std::vector<int> words = array<int>();
	const std::vector<float> bias = array<float>(), mask = array<float>();
	std::vector<float> C = array<float>();
	const float *b = bias.empty() ? nullptr : bias.data(), *mk = mask.empty() ? nullptr : mask.data();
	// A's rows start on 16-byte boundaries when K is a multiple of 4.
	const int vecA = reinterpret_cast<uintptr_t>(A.data()) % 16 == 0 && K % 4 == 0;
	launch(tiles(M, N), 1, kF32Smem, [&] {
		if (strided)
			conv_data_f32_strided(C.data(), A.data(), X.data(), words.data(), b, mk, M, N, K, K, vecA,
					      withReLU);
		else
			conv_data_f32(C.data(), A.data(), X.data(), words.data(), b, mk, M, N, K, K, vecA, withReLU);
	});
	print(C);
}

static void weight_cmd()
{
	int M, N, K, slices, chunk;
	if (scanf("%d %d %d %d %d", &M, &N, &K, &slices, &chunk) != 5)
		exit(2);
	const std::vector<float> XA = array<float>();
	const std::vector<int> wordsA = array<int>();
	const std::vector<float> XB = array<float>();
	const std::vector<int> wordsB = array<int>();
	std::vector<float> C = array<float>();
	if (slices == 1) {
		launch(tiles(M, N), 1, kF32Smem, [&] {
			conv_weight_f32(C.data(), XA.data(), wordsA.data(), XB.data(), wordsB.data(), M, N, K, N, 0, chunk,
					1.0f, 1.0f);
		});
	} else {
		std::vector<float> W((size_t)slices * M * N, NAN);
		launch(tiles(M, N), slices, kF32Smem, [&] {
			conv_weight_f32(W.data(), XA.data(), wordsA.data(), XB.data(), wordsB.data(), M, N, K, N,
					(long long)M * N, chunk, 1.0f, 0.0f);
		});
		serial([&] { gemm_reduce(C.data(), W.data(), M, N, N, slices, 1.0f, 1.0f); });
	}
	print(C);
}

static void permute_cmd()
{
	int O, Cin, KK;
	if (scanf("%d %d %d", &O, &Cin, &KK) != 3)
		exit(2);
	const std::vector<float> w = array<float>();
	std::vector<float> wt(w.size(), NAN);
	serial([&] { conv_weight_t(wt.data(), w.data(), O, Cin, KK); });
	print(wt);
}

static void maxpool_cmd()
{
	long long planes;
	int H, W, KH, KW, SH, SW, PH, PW;
	if (scanf("%lld %d %d %d %d %d %d %d %d", &planes, &H, &W, &KH, &KW, &SH, &SW, &PH, &PW) != 9)
		exit(2);
	const int OH = (H + 2 * PH - KH) / SH + 1, OW = (W + 2 * PW - KW) / SW + 1;
	const std::vector<float> x = array<float>(), dy = array<float>(), mask = array<float>();
	std::vector<float> y(planes * OH * OW, NAN), dx(x.size(), NAN);
	std::vector<int> arg(y.size(), -7);
	serial([&] { maxpool_f32(y.data(), arg.data(), x.data(), planes, H, W, KH, KW, SH, SW, PH, PW, OH, OW); });
	serial([&] {
		maxpool_grad_f32(dx.data(), dy.data(), arg.data(), mask.empty() ? nullptr : mask.data(), planes, H, W, KH,
				 KW, SH, SW, PH, PW, OH, OW);
	});
	print(y);
	for (int a : arg)
		printf("%d ", a);
	printf("\n");
	print(dx);
}

int main()
{
	char cmd[16];
	while (scanf("%15s", cmd) == 1) {
		if (!strcmp(cmd, "gather"))
			gather_cmd();
		else if (!strcmp(cmd, "data"))
			data_cmd();
		else if (!strcmp(cmd, "weight"))
			weight_cmd();
		else if (!strcmp(cmd, "permute"))
			permute_cmd();
		else if (!strcmp(cmd, "maxpool"))
			maxpool_cmd();
		else
			return 2;
		fflush(stdout);
	}
	return 0;
}
