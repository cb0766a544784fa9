// hostcheck runs CUDA kernels on the CPU, so that the kernels and cuda
// packages' tests can check them on a machine without a GPU. It compiles
// kernels/gemm.cu, conv.cu, maxpool.cu, reduce.cu, batchnorm.cu, unary.cu,
// elementwise.cu, relu.cu, avgpool.cu and bfloat16.cu as C++ with
// stand-ins for what only a GPU has: each thread of a block is a
// std::thread, __syncthreads a barrier, shared memory a global array, a
// cp.async copies at once (a valid schedule of an asynchronous copy), and
// the warp-wide instructions of the tensor-core maths (mma.sync, ldmatrix)
// exchange their operands through a per-warp area between two barriers of
// the warp's 32 threads, then compute what the PTX ISA's fragment layouts
// say each lane receives. cvt's roundings are done on the bits.
//
// Commands on stdin, one after another, whitespace-separated; arrays are
// a length then that many numbers. Each prints one line of numbers.
//
//	gather kind bk kmajor div mn0 mnEnd k0 kEnd words nx
//	    Runs GatherMN (kind 0) or gather_k (kind 1) of conv_gather.cuh
//	    for every thread of a block into one tile (bk 16 or 32, kmajor its
//	    layout, div the strided variant) over a tensor of nx elements
//	    holding x[i] = i + 1, and prints two lines with element (mn, k) at
//	    mn*bk + k: the offset it was copied from (-1 for a zero, -2 if never
//	    written), and the thread that copied it (-1 none, -2 more than one).
//	data math strided relu y16 m16 M N K A X words bias mask C
//	    Launches conv_data_<math>[_strided] (math tf32, bf16 or f32) over
//	    its grid with C as the output's initial contents (bias or mask of
//	    length 0: none; relu 1 for the fused ReLU) and prints C. y16 and
//	    m16 store C and the mask in bfloat16 (their values must be
//	    bfloat16's; C is printed widened).
//	weight math M N K P slices chunk beta DY X words C
//	    Launches conv_weight_<math> (P positions per image of DY) with
//	    `slices` blocks along z of chunk steps each (into a workspace, then
//	    gemm_reduce, when slices > 1), alpha 1 and beta into C, and prints
//	    C.
//	gemm math ta tb M N K A B C
//	    Launches gemm_<math>_<ta><tb> (n or t) on one product of packed
//	    operands (lda = K, or M when A is transposed; likewise B), alpha 1,
//	    beta 0, and prints C: the GEMM, checked on GPUs, shows that the
//	    emulated instructions behave as the hardware's.
//	reduce op outer n inner chunk splits W R Q blocks X
//	    Runs one pass of reduce_<op>_f32 (op sum or max) over blocks
//	    blocks of REDUCE_THREADS with the layout given (cuda's
//	    planReduce), and prints its output [outer, splits, inner].
//	batchnorm train N C S eps momentum beta X SCALE SHIFT RUNMEAN RUNVAR DY DSCALE DSHIFT
//	    Launches batchnorm.cu's kernels as cuda's BatchNorm and
//	    BatchNormGrad do (the per-channel ones on C blocks of
//	    BATCHNORM_THREADS), and prints Y, mean, invstd, the running mean
//	    and variance, DX, DSCALE and DSHIFT, a line each.
//	bias outer C inner beta DY DB
//	    Launches bias_grad_f32 as cuda's BiasGrad does (C blocks of
//	    BIAS_GRAD_THREADS) and prints DB.
//	pointwise name A [B]
//	    Runs the elementwise kernel name over A (unary: exp_f32, ...; the
//	    gradients and add_f32, sub_f32, mul_f32, relu_grad_f32 over A and
//	    B) and prints its output.
//	copyblocks count len dst_off dst_stride src_off src_stride DST SRC
//	    Runs copy_blocks_f32 as cuda's CopyBlocks launches it (its
//	    pointers moved by the offsets), on a grid of 3 blocks of 32
//	    threads, and prints DST.
//	avgpool planes H W KH KW SH SW PH PW X DY
//	    Runs avgpool_f32 over X and avgpool_grad_f32 over DY and prints y
//	    and dx on two lines.
//	permute O C KK W
//	    Runs conv_weight_t and prints its output.
//	maxpool x16 y16 m16 planes H W KH KW SH SW PH PW X DY MASK
//	    Runs maxpool_f32 over X, then maxpool_grad_f32 with DY through
//	    the argmax it wrote and MASK (length 0: none), X, y and MASK in
//	    bfloat16 where x16, y16 and m16 say, and prints y (widened),
//	    argmax and dx on three lines.
//	bf16 BITS
//	    Prints the bits of round_bf16 of each float32 of the given bits,
//	    then of those values widened by widen_bf16, on two lines.
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using std::isnan;
using std::max;
using std::min;

#define __device__
#define __forceinline__ inline
#define __global__
#define __launch_bounds__(threads, blocks)
#define __shared__ static // one block runs at a time
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
static inline unsigned __float_as_uint(float f)
{
	unsigned u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static inline unsigned __umulhi(unsigned a, unsigned b) { return unsigned((unsigned long long)a * b >> 32); }

static std::barrier<> *block_barrier;
static void __syncthreads() { block_barrier->arrive_and_wait(); }

// The cp.async family copies at once; a wait has nothing left to wait for.
static void cp_async16(float *dst, const float *src, int bytes)
{
	for (int q = 0; q < 4; ++q)
		dst[q] = 4 * q < bytes ? src[q] : 0.0f;
}
#include "../../common.cuh"

// watched is the tile the gather command watches: owner[e] is the thread
// that copied element e into it, or -2 once a second copy lands there.
static struct {
	float *base = nullptr;
	std::vector<int> owner;
} watched;

static void cp_async4(float *dst, const float *src, int bytes)
{
	*dst = bytes == 4 ? *src : 0.0f;
	if (watched.base && dst >= watched.base && dst < watched.base + watched.owner.size()) {
		int &o = watched.owner[dst - watched.base];
		o = o == -1 ? int(threadIdx.x) : -2;
	}
}
static void cp_async_commit() {}
template <int N> static void cp_async_wait() {}
static unsigned launch_smem;

// Warp is the exchange area of one warp's warp-wide instructions: each
// lane writes its operands, all wait, each reads what it receives, all
// wait again before the area is reused.
struct Warp {
	std::barrier<> bar{32};
	unsigned a[32][4], b[32][2];
	const float *rows[32];
};
static thread_local Warp *warp_of;

static unsigned lane_id() { return threadIdx.x % 32; }

static float bits_float(unsigned u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static unsigned float_bits(float f)
{
	unsigned u;
	memcpy(&u, &f, sizeof u);
	return u;
}

// to_tf32 is mma.cuh's to_tf32 as the tensor cores read it, the 13 low
// bits ignored: to 10 mantissa bits, ties away from zero (the inputs are
// finite).
static unsigned to_tf32(float x) { return (float_bits(x) + 0x1000u) & 0xffffe000u; }

// bf16 is cvt.rn's rounding of one value to bfloat16, ties to even.
static unsigned bf16(float x)
{
	const unsigned u = float_bits(x);
	return (u + 0x7fffu + (u >> 16 & 1)) >> 16;
}

// to_bf16x2 packs lo into the lower half, hi into the upper.
static unsigned to_bf16x2(float lo, float hi) { return bf16(lo) | bf16(hi) << 16; }

// ldmatrix_x4: lanes 8q..8q+7 give the rows of matrix q (four 32-bit
// words each); lane l receives word l%4 of row l/4 of each matrix.
static void ldmatrix_x4(unsigned (&r)[4], const float *row)
{
	Warp &w = *warp_of;
	const unsigned l = lane_id();
	w.rows[l] = row;
	w.bar.arrive_and_wait();
	for (int q = 0; q < 4; ++q)
		r[q] = float_bits(w.rows[8 * q + l / 4][l % 4]);
	w.bar.arrive_and_wait();
}

// mma_sync computes lane l's four results of a 16x8 tile, C(g, 2t),
// C(g, 2t+1), C(g+8, 2t), C(g+8, 2t+1) (g = l/4, t = l%4), adding to d the
// products over K of A(r, k), B(k, c), which at(w, r, k) and bt(w, k, c)
// read from the lanes' operands.
template <class A, class B>
static void mma_sync(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2], int K, A at, B bt)
{
	Warp &w = *warp_of;
	const unsigned l = lane_id();
	for (int e = 0; e < 4; ++e)
		w.a[l][e] = a[e];
	w.b[l][0] = b[0], w.b[l][1] = b[1];
	w.bar.arrive_and_wait();
	const int g = l / 4, t = l % 4;
	for (int e = 0; e < 4; ++e) {
		const int r = g + 8 * (e / 2), c = 2 * t + e % 2;
		float s = d[e];
		for (int k = 0; k < K; ++k)
			s += at(w, r, k) * bt(w, k, c);
		d[e] = s;
	}
	w.bar.arrive_and_wait();
}

// mma_tf32 is mma.m16n8k8 with TF32 operands: a0..a3 = A(g, t), A(g+8, t),
// A(g, t+4), A(g+8, t+4); b0, b1 = B(t, g), B(t+4, g).
static void mma_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
{
	mma_sync(
		d, a, b, 8,
		[](const Warp &w, int r, int k) { return bits_float(w.a[r % 8 * 4 + k % 4][r / 8 + 2 * (k / 4)]); },
		[](const Warp &w, int k, int c) { return bits_float(w.b[c * 4 + k % 4][k / 4]); });
}

// mma_bf16 is mma.m16n8k16 with BF16 operands, two to a register, the
// first in the lower half: a0..a3 = A(g, 2t..2t+1), A(g+8, 2t..2t+1),
// A(g, 2t+8..2t+9), A(g+8, 2t+8..2t+9); b0, b1 = B(2t..2t+1, g),
// B(2t+8..2t+9, g).
static void mma_bf16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
{
	auto half = [](unsigned reg, int k) { return bits_float((k % 2 ? reg >> 16 : reg & 0xffffu) << 16); };
	mma_sync(
		d, a, b, 16,
		[&](const Warp &w, int r, int k) { return half(w.a[r % 8 * 4 + k % 8 / 2][r / 8 + 2 * (k / 8)], k); },
		[&](const Warp &w, int k, int c) { return half(w.b[c * 4 + k % 8 / 2][k / 8], k); });
}
static unsigned dynamic_smem_bytes() { return launch_smem; }

// The dynamic shared memory of the block running now (gemm_core.cuh's).
static float4 smem4[110592 / sizeof(float4)];

#include "../../conv.cu"
#include "../../gemm.cu"
#include "../../maxpool.cu"
#include "../../reduce.cu"
#include "../../batchnorm.cu"
#include "../../unary.cu"
#include "../../elementwise.cu"
#include "../../relu.cu"
#include "../../avgpool.cu"
#include "../../bfloat16.cu"
#include "../../bias.cu"

// launch runs kernel over a grid of gx by gz blocks of kThreads threads, one
// block after another, with smem bytes of dynamic shared memory.
template <class F> static void launch(unsigned gx, unsigned gz, unsigned smem, F kernel, unsigned block = kThreads)
{
	launch_smem = smem;
	for (unsigned z = 0; z < gz; ++z)
		for (unsigned x = 0; x < gx; ++x) {
			memset(smem4, 0xff, sizeof smem4); // NaN: a read of an unwritten element shows
			std::barrier<> bar(block);
			block_barrier = &bar;
			std::vector<Warp> warps(block / 32);
			std::vector<std::thread> threads;
			for (unsigned t = 0; t < block; ++t)
				threads.emplace_back([=, &warps] {
					threadIdx = {t, 0, 0}, blockIdx = {x, 0, z};
					warp_of = &warps[t / 32];
					blockDim = {block, 1, 1}, gridDim = {gx, 1, gz};
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

// exact16 returns v in bfloat16, each value of which must be one (the
// caller rounds), as a store in bfloat16 holds it.
static std::vector<bf16_t> exact16(const std::vector<float> &v)
{
	std::vector<bf16_t> h(v.size());
	for (size_t i = 0; i < v.size(); ++i) {
		const unsigned u = float_bits(v[i]);
		if (u & 0xffff)
			exit(3);
		h[i] = bf16_t(u >> 16);
	}
	return h;
}

static void print(const std::vector<bf16_t> &v)
{
	for (bf16_t h : v)
		printf("%.9g ", widen_bf16(h));
	printf("\n");
}

// Act is an activation array the command reads, stored as a kernel takes
// it: float32, or bfloat16 when h.
struct Act {
	int h;
	std::vector<float> f;
	std::vector<bf16_t> b;

	Act(int h, const std::vector<float> &v) : h(h)
	{
		if (h)
			b = exact16(v);
		else
			f = v;
	}
	bool empty() const { return f.empty() && b.empty(); }
	void *data() { return empty() ? nullptr : h ? (void *)b.data() : (void *)f.data(); }
	void print() const { h ? ::print(b) : ::print(f); }
};

// Kernels are the convolution entry points of one math, with the dynamic
// shared memory their launches take (kStages*kStageFloats floats) and the
// math's k step.
struct Kernels {
	decltype(&conv_data_f32) data, data_strided;
	decltype(&conv_weight_f32) weight;
	unsigned smem;
	int bk;
};

template <class Math>
static Kernels kernels_of(decltype(&conv_data_f32) data, decltype(&conv_data_f32) strided,
			  decltype(&conv_weight_f32) weight)
{
	return {data, strided, weight, Math::kStages * Math::kStageFloats * unsigned(sizeof(float)), Math::BK};
}

static Kernels kernels(const char *math)
{
	if (!strcmp(math, "tf32"))
		return kernels_of<Tf32<false, false>>(conv_data_tf32, conv_data_tf32_strided, conv_weight_tf32);
	if (!strcmp(math, "bf16"))
		return kernels_of<Bf16<false, false>>(conv_data_bf16, conv_data_bf16_strided, conv_weight_bf16);
	if (!strcmp(math, "f32"))
		return kernels_of<F32<false, false>>(conv_data_f32, conv_data_f32_strided, conv_weight_f32);
	exit(2);
}

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
	watched.base = s.data();
	watched.owner.assign(s.size(), -1);
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
	for (int mn = 0; mn < kTile; ++mn)
		for (int k = 0; k < bk; ++k)
			printf("%d ", watched.owner[kmajor ? k * kTile + mn : mn * bk + k]);
	printf("\n");
	watched.base = nullptr;
}

static void data_cmd()
{
	char math[8];
	int strided, withReLU, y16, m16, M, N, K;
	if (scanf("%7s %d %d %d %d %d %d %d", math, &strided, &withReLU, &y16, &m16, &M, &N, &K) != 8)
		exit(2);
	const std::vector<float> A = array<float>(), X = array<float>();
	const std::vector<int> words = array<int>();
	const std::vector<float> bias = array<float>();
	Act mask(m16, array<float>()), C(y16, array<float>());
	const float *b = bias.empty() ? nullptr : bias.data();
	// A's rows start on 16-byte boundaries when K is a multiple of 4.
	const int vecA = reinterpret_cast<uintptr_t>(A.data()) % 16 == 0 && K % 4 == 0;
	const Kernels k = kernels(math);
	launch(tiles(M, N), 1, k.smem, [&] {
		(strided ? k.data_strided : k.data)(C.data(), A.data(), X.data(), words.data(), b, mask.data(), M, N, K,
						    K, vecA, withReLU, y16, m16);
	});
	C.print();
}

static void weight_cmd()
{
	char math[8];
	int M, N, K, P, slices, chunk;
	float beta;
	if (scanf("%7s %d %d %d %d %d %d %f", math, &M, &N, &K, &P, &slices, &chunk, &beta) != 8)
		exit(2);
	const Kernels k = kernels(math);
	const std::vector<float> DY = array<float>(), X = array<float>();
	const std::vector<int> words = array<int>();
	std::vector<float> C = array<float>();
	auto run = [&](float *out, long long strideC, float beta) {
		k.weight(out, DY.data(), P, X.data(), words.data(), M, N, K, N, strideC, chunk, 1.0f, beta);
	};
	if (slices == 1) {
		launch(tiles(M, N), 1, k.smem, [&] { run(C.data(), 0, beta); });
	} else {
		std::vector<float> W((size_t)slices * M * N, NAN);
		launch(tiles(M, N), slices, k.smem, [&] { run(W.data(), (long long)M * N, 0.0f); });
		serial([&] { gemm_reduce(C.data(), W.data(), M, N, N, slices, 1.0f, beta); });
	}
	print(C);
}

static void gemm_cmd()
{
	char math[8], ta[2], tb[2];
	int M, N, K;
	if (scanf("%7s %1s %1s %d %d %d", math, ta, tb, &M, &N, &K) != 6)
		exit(2);
	const std::vector<float> A = array<float>(), B = array<float>();
	std::vector<float> C = array<float>();
	const bool tA = ta[0] == 't', tB = tb[0] == 't';
	using Entry = decltype(&gemm_f32_nn);
	const std::pair<const char *, Entry> entries[] = {
		{"f32nn", gemm_f32_nn},   {"f32nt", gemm_f32_nt},   {"f32tn", gemm_f32_tn},   {"f32tt", gemm_f32_tt},
		{"tf32nn", gemm_tf32_nn}, {"tf32nt", gemm_tf32_nt}, {"tf32tn", gemm_tf32_tn}, {"tf32tt", gemm_tf32_tt},
		{"bf16nn", gemm_bf16_nn}, {"bf16nt", gemm_bf16_nt}, {"bf16tn", gemm_bf16_tn}, {"bf16tt", gemm_bf16_tt},
	};
	const std::string name = std::string(math) + ta + tb;
	Entry kernel = nullptr;
	for (const auto &e : entries)
		if (name == e.first)
			kernel = e.second;
	if (!kernel)
		exit(2);
	const int lda = tA ? M : K, ldb = tB ? K : N;
	const Kernels k = kernels(math);
	const int steps = (K + k.bk - 1) / k.bk;
	const int vecA = lda % 4 == 0, vecB = ldb % 4 == 0;
	launch(tiles(M, N), 1, k.smem, [&] {
		kernel(C.data(), A.data(), B.data(), M, N, K, lda, ldb, N, 0, 0, 0, 1, steps, 1.0f, 0.0f, vecA, vecB);
	});
	print(C);
}

static void reduce_cmd()
{
	char op[8];
	long long outer, n, inner, chunk, splits, blocks;
	int W, R, Q;
	if (scanf("%7s %lld %lld %lld %lld %lld %d %d %d %lld", op, &outer, &n, &inner, &chunk, &splits, &W, &R, &Q,
		  &blocks) != 10)
		exit(2);
	const std::vector<float> x = array<float>();
	std::vector<float> y(outer * splits * inner, NAN);
	auto kernel = !strcmp(op, "sum") ? reduce_sum_f32 : !strcmp(op, "max") ? reduce_max_f32 : nullptr;
	if (!kernel)
		exit(2);
	launch(
		blocks, 1, 0, [&] { kernel(y.data(), x.data(), outer, n, inner, chunk, splits, W, R, Q); },
		REDUCE_THREADS);
	print(y);
}

static void batchnorm_cmd()
{
	int train, C;
	long long N, S;
	float eps, momentum, beta;
	if (scanf("%d %lld %d %lld %f %f %f", &train, &N, &C, &S, &eps, &momentum, &beta) != 7)
		exit(2);
	const std::vector<float> x = array<float>(), scale = array<float>(), shift = array<float>();
	std::vector<float> runmean = array<float>(), runvar = array<float>();
	const std::vector<float> dy = array<float>();
	std::vector<float> dscale = array<float>(), dshift = array<float>();
	const long long n = N * C * S;
	std::vector<float> y(n, NAN), dx(n, NAN), mean(C, NAN), invstd(C, NAN), means(2 * C, NAN);
	if (train)
		launch(
			C, 1, 0,
			[&] {
				batchnorm_stats_f32(mean.data(), invstd.data(), runmean.data(), runvar.data(), x.data(), N, C, S,
						    eps, momentum);
			},
			BATCHNORM_THREADS);
	else
		serial([&] { batchnorm_eval_stats_f32(mean.data(), invstd.data(), runmean.data(), runvar.data(), eps, C); });
	serial([&] {
		batchnorm_f32(y.data(), x.data(), scale.data(), shift.data(), mean.data(), invstd.data(), n, C, S);
	});
	float *m = train ? means.data() : nullptr;
	launch(
		C, 1, 0,
		[&] {
			batchnorm_grad_reduce_f32(dscale.data(), dshift.data(), m, dy.data(), x.data(), mean.data(),
						  invstd.data(), N, C, S, beta);
		},
		BATCHNORM_THREADS);
	serial([&] {
		batchnorm_grad_f32(dx.data(), dy.data(), x.data(), scale.data(), mean.data(), invstd.data(), m, n, C, S);
	});
	for (const auto *v : {&y, &mean, &invstd, &runmean, &runvar, &dx, &dscale, &dshift})
		print(*v);
}

static void bias_cmd()
{
	long long outer, inner;
	int C;
	float beta;
	if (scanf("%lld %d %lld %f", &outer, &C, &inner, &beta) != 4)
		exit(2);
	const std::vector<float> dy = array<float>();
	std::vector<float> db = array<float>();
	launch(C, 1, 0, [&] { bias_grad_f32(db.data(), dy.data(), outer, C, inner, beta); }, BIAS_GRAD_THREADS);
	print(db);
}

static void pointwise_cmd()
{
	char name[32];
	if (scanf("%31s", name) != 1)
		exit(2);
	using One = void (*)(float *, const float *, long long);
	using Two = void (*)(float *, const float *, const float *, long long);
	const std::pair<const char *, One> ones[] = {
		{"exp_f32", exp_f32}, {"sigmoid_f32", sigmoid_f32}, {"tanh_f32", tanh_f32}, {"relu_f32", relu_f32}};
	const std::pair<const char *, Two> twos[] = {
		{"exp_grad_f32", exp_grad_f32}, {"sigmoid_grad_f32", sigmoid_grad_f32}, {"tanh_grad_f32", tanh_grad_f32},
		{"add_f32", add_f32}, {"sub_f32", sub_f32}, {"mul_f32", mul_f32}, {"relu_grad_f32", relu_grad_f32}};
	const std::vector<float> a = array<float>();
	std::vector<float> out(a.size(), NAN);
	for (const auto &k : ones)
		if (!strcmp(name, k.first)) {
			serial([&] { k.second(out.data(), a.data(), (long long)a.size()); });
			print(out);
			return;
		}
	const std::vector<float> b = array<float>();
	for (const auto &k : twos)
		if (!strcmp(name, k.first)) {
			serial([&] { k.second(out.data(), a.data(), b.data(), (long long)a.size()); });
			print(out);
			return;
		}
	exit(2);
}

static void copyblocks_cmd()
{
	long long count, len, dst_off, dst_stride, src_off, src_stride;
	if (scanf("%lld %lld %lld %lld %lld %lld", &count, &len, &dst_off, &dst_stride, &src_off, &src_stride) != 6)
		exit(2);
	std::vector<float> dst = array<float>();
	const std::vector<float> src = array<float>();
	launch(
		3, 1, 0,
		[&] {
			copy_blocks_f32(dst.data() + dst_off, src.data() + src_off, len, dst_stride, src_stride,
					count * len);
		},
		32);
	print(dst);
}

static void avgpool_cmd()
{
	long long planes;
	int H, W, KH, KW, SH, SW, PH, PW;
	if (scanf("%lld %d %d %d %d %d %d %d %d", &planes, &H, &W, &KH, &KW, &SH, &SW, &PH, &PW) != 9)
		exit(2);
	const int OH = (H + 2 * PH - KH) / SH + 1, OW = (W + 2 * PW - KW) / SW + 1;
	const std::vector<float> x = array<float>(), dy = array<float>();
	std::vector<float> y(planes * OH * OW, NAN), dx(x.size(), NAN);
	serial([&] { avgpool_f32(y.data(), x.data(), planes, H, W, KH, KW, SH, SW, PH, PW, OH, OW); });
	serial([&] { avgpool_grad_f32(dx.data(), dy.data(), planes, H, W, KH, KW, SH, SW, PH, PW, OH, OW); });
	print(y);
	print(dx);
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
	int x16, y16, m16;
	long long planes;
	int H, W, KH, KW, SH, SW, PH, PW;
	if (scanf("%d %d %d %lld %d %d %d %d %d %d %d %d", &x16, &y16, &m16, &planes, &H, &W, &KH, &KW, &SH, &SW, &PH,
		  &PW) != 12)
		exit(2);
	const int OH = (H + 2 * PH - KH) / SH + 1, OW = (W + 2 * PW - KW) / SW + 1;
	Act x(x16, array<float>());
	const std::vector<float> dy = array<float>();
	Act mask(m16, array<float>()), y(y16, std::vector<float>(planes * OH * OW, NAN));
	std::vector<float> dx((size_t)planes * H * W, NAN);
	std::vector<int> arg(planes * OH * OW, -7);
	serial([&] {
		maxpool_f32(y.data(), arg.data(), x.data(), planes, H, W, KH, KW, SH, SW, PH, PW, OH, OW, x16, y16);
	});
	serial([&] {
		maxpool_grad_f32(dx.data(), dy.data(), arg.data(), mask.data(), planes, H, W, KH, KW, SH, SW, PH, PW, OH,
				 OW, m16);
	});
	y.print();
	for (int a : arg)
		printf("%d ", a);
	printf("\n");
	print(dx);
}

// bf16_cmd prints the bits round_bf16 gives each float32 of the given
// bits, the storing of a bfloat16 activation (common.cuh), then the bits
// of those values widened by widen_bf16 (bfloat16.cu).
static void bf16_cmd()
{
	std::vector<bf16_t> h;
	for (unsigned u : array<unsigned>())
		h.push_back(round_bf16(bits_float(u)));
	std::vector<float> w(h.size(), NAN);
	serial([&] { widen_bf16(w.data(), h.data(), (long long)h.size()); });
	for (bf16_t e : h)
		printf("%u ", (unsigned)e);
	printf("\n");
	for (float f : w)
		printf("%u ", float_bits(f));
	printf("\n");
}

// commands are what main reads: a name, then the command's input.
static const struct {
	const char *name;
	void (*run)();
} commands[] = {
	{"gather", gather_cmd},
	{"data", data_cmd},
	{"weight", weight_cmd},
	{"permute", permute_cmd},
	{"gemm", gemm_cmd},
	{"reduce", reduce_cmd},
	{"batchnorm", batchnorm_cmd},
	{"bias", bias_cmd},
	{"pointwise", pointwise_cmd},
	{"copyblocks", copyblocks_cmd},
	{"avgpool", avgpool_cmd},
	{"maxpool", maxpool_cmd},
	{"bf16", bf16_cmd},
};

int main()
{
	char cmd[16];
	while (scanf("%15s", cmd) == 1) {
		bool known = false;
		for (const auto &c : commands)
			if (!strcmp(cmd, c.name)) {
				c.run();
				known = true;
				break;
			}
		if (!known)
			return 2;
		fflush(stdout);
	}
	return 0;
}
