// Implicit-GEMM convolution: a convolution's three products on the core of
// gemm_core.cuh, with the image operand gathered from the image tensor
// itself by the copies into shared memory, so that no column matrix (what
// im2col writes) is ever in memory. The index arithmetic is that of the Go
// package internal/convmap, whose View.At is the model of View::src below
// and whose tests check it against the CPU's im2col; a view arrives as the
// int32 words of convmap.View.Words.
//
//   conv_data_<math>[_strided]  C = A x V, one column of V per (image,
//       position), and column d of the product written to image d / P at
//       position d % P of C [N, M, P] (convmap.OutOffset), plus bias[m]
//       unless bias is null. The forward pass: A the weight [O, C*KH*KW],
//       V convmap.Forward's view of x. The data gradient: A the weight
//       permuted to [C, O*KH*KW] by conv_weight_t, V convmap.DataGrad's
//       view of dy (the _strided variant for strides above 1, which
//       divides).
//   conv_weight_<math>  C = alpha * VA x VB^T + beta*C over k = (image,
//       position): the weight gradient, VA convmap.Rows's view of dy and VB
//       the forward view of x. Split into slices of k steps as the GEMM's
//       batch sums are (gemm.cu), the host adding them with gemm_reduce.
//
// <math> is tf32, bf16 or f32, as for the GEMM. Each k step's image tile is
// copied one float at a time (cp.async of 4 bytes, zero-filled for the
// padding and the edges), spread over the threads so that a warp reads 32
// consecutive columns: consecutive addresses for a stride-1 view.
#include "gemm_core.cuh"

namespace {

static_assert(kThreads == 256 && kTile == 128, "the gathers' thread layout (convmap.LoadMN, LoadK) assumes these");

// ViewHeader is the header of convmap.View.Words, field for field.
struct ViewHeader {
	int P, PW, Image, SY, OY, SX, OX, UH, UW, LD, DY, DX, pad[4];
};

// View reads an image tensor x as a matrix (convmap.View).
struct View {
	const float *x;
	const int4 *table; // row t: Off, H, W, 0
	// The header is read from global memory where used rather than
	// copied whole: a copy of all twelve fields made ptxas spill the
	// accumulators of the strided variants (sm_90).
	const ViewHeader *__restrict__ hp;

	__device__ __forceinline__ View(const float *x, const int *words)
		: x(x), table(reinterpret_cast<const int4 *>(words + sizeof(ViewHeader) / sizeof(int))),
		  hp(reinterpret_cast<const ViewHeader *>(words))
	{
	}

	// f reads a header field, say f(&ViewHeader::P).
	__device__ __forceinline__ int f(const int ViewHeader::*field) const { return __ldg(&(hp->*field)); }

	// Col is what a thread keeps of a decoded column d: the offset of its
	// image, its coordinates before a row's shift, and whether d is a
	// column of the view at all (in false: every element is a zero).
	struct Col {
		long long base;
		int y, x;
		bool in;
	};

	__device__ __forceinline__ Col col(int d, int dEnd) const
	{
		Col c;
		c.in = d < dEnd;
		if (!c.in)
			d = 0;
		const int P = f(&ViewHeader::P), PW = f(&ViewHeader::PW);
		const int n = d / P, p = d - n * P, y = p / PW;
		c.base = (long long)n * f(&ViewHeader::Image);
		c.y = y * f(&ViewHeader::SY) + f(&ViewHeader::OY);
		c.x = (p - y * PW) * f(&ViewHeader::SX) + f(&ViewHeader::OX);
		return c;
	}

	// row returns row t's entry, or past tEnd one whose row shift puts
	// every element outside the view, so that the row copies zeros.
	__device__ __forceinline__ int4 row(int t, int tEnd) const
	{
		return t < tEnd ? __ldg(table + t) : make_int4(0, -(1 << 30), 0, 0);
	}

	// src returns the address of the element of row e and column c, or
	// null for a zero. DIV: the coordinates must divide by (DY, DX).
	template <bool DIV>
	__device__ __forceinline__ const float *src(int4 e, const Col &c) const
	{
		int u = c.y + e.y, v = c.x + e.z;
		// One unsigned comparison is both bounds.
		if (!c.in || (unsigned)u >= (unsigned)f(&ViewHeader::UH) || (unsigned)v >= (unsigned)f(&ViewHeader::UW))
			return nullptr;
		if (DIV) {
			if (u % f(&ViewHeader::DY) != 0 || v % f(&ViewHeader::DX) != 0)
				return nullptr;
			u /= f(&ViewHeader::DY), v /= f(&ViewHeader::DX);
		}
		return x + c.base + e.x + (long long)u * f(&ViewHeader::LD) + v;
	}

	// copy starts copying the element at p into *dst, or writes a zero
	// there when p is null.
	__device__ __forceinline__ void copy(float *dst, const float *p) const { cp_async4(dst, p ? p : x, p ? 4 : 0); }
};

// GatherMN copies a view whose columns run along the tile's MN side (the B
// operand of conv_data, k-major) into shared memory tile T. Copy (q, i) of
// a thread is element (lane + 32q, warp + 8i) of the tile (convmap.LoadMN):
// its four columns stay the same for the whole product, so the thread
// decodes them once.
template <class T, int BK, bool DIV>
struct GatherMN {
	View::Col col[4];

	__device__ __forceinline__ GatherMN(const View &v, int mn0, int mnEnd)
	{
		const int lane = threadIdx.x % 32;
#pragma unroll
		for (int q = 0; q < 4; ++q)
			col[q] = v.col(mn0 + lane + 32 * q, mnEnd);
	}

	// load starts the copies of rows [k0, k0+BK) of the view, zeros from
	// kEnd on.
	__device__ __forceinline__ void load(float *s, const View &v, int k0, int kEnd) const
	{
		const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
#pragma unroll
		for (int i = 0; i < BK / 8; ++i) {
			const int k = warp + 8 * i;
			const int4 e = v.row(k0 + k, kEnd);
#pragma unroll
			for (int q = 0; q < 4; ++q)
				v.copy(s + T::at(lane + 32 * q, k), v.template src<DIV>(e, col[q]));
		}
	}
};

// GatherK copies a view whose columns run along k (both operands of
// conv_weight, k-contiguous) into shared memory tile T: rows [mn0, mnEnd)
// and columns [k0, k0+BK), zeros past mnEnd and kEnd. Copy i of thread tid
// is element (tid/BK + (256/BK)*i, tid%BK) of the tile (convmap.LoadK): the
// thread decodes its one column per step and walks the rows.
template <class T, int BK>
__device__ __forceinline__ void gather_k(float *s, const View &v, int mn0, int mnEnd, int k0, int kEnd)
{
	constexpr int RS = kThreads / BK;
	const int k = threadIdx.x % BK, r = threadIdx.x / BK;
	const View::Col c = v.col(k0 + k, kEnd);
	// Unrolled in fours: fully unrolled, the rows' table entries and
	// addresses crowd the registers and ptxas spills the accumulators.
#pragma unroll 4
	for (int i = 0; i < kTile / RS; ++i) {
		const int mn = r + RS * i;
		v.copy(s + T::at(mn, k), v.template src<false>(v.row(mn0 + mn, mnEnd), c));
	}
}

// conv_data is the body of conv_data_*; Math is the <false, false> math.
template <class Math, bool DIV>
__device__ __forceinline__ void conv_data(float *__restrict__ C, const float *__restrict__ A,
					  const float *__restrict__ X, const int *__restrict__ words,
					  const float *__restrict__ bias, int M, int N, int K, int lda, int vecA)
{
	using TileA = typename Math::TileA;
	using TileB = typename Math::TileB;
	constexpr int BK = Math::BK;
	int m0, n0, wm, wn;
	tile_origin(M, N, m0, n0);
	warp_corner(wm, wn);
	const View view(X, words);
	const GatherMN<TileB, BK, DIV> gather(view, n0, N);
	int k0 = 0;
	auto fetch = [&](float *As) {
		TileA::template load<false>(As, A, lda, m0, M, k0, K, vecA);
		gather.load(As + TileA::SIZE, view, k0, K);
		k0 += BK;
	};
	const int lane = threadIdx.x % 32;
	Math math;
	mainloop(math, (K + BK - 1) / BK, fetch, wm, wn, lane);
	const int P = view.f(&ViewHeader::P);
	const long long image = (long long)M * P;
	math.store(m0 + wm, n0 + wn, lane, [&](int m, int n, float v) {
		if (m < M && n < N) {
			const int img = n / P;
			C[img * image + (long long)m * P + (n - img * P)] = bias ? v + bias[m] : v;
		}
	});
}

// conv_weight is the body of conv_weight_*; Math is the <false, true> math.
// Block z covers k steps [z*chunk, z*chunk+chunk) and writes C + z*strideC.
template <class Math>
__device__ __forceinline__ void conv_weight(float *__restrict__ C, const float *__restrict__ XA,
					    const int *__restrict__ wordsA, const float *__restrict__ XB,
					    const int *__restrict__ wordsB, int M, int N, int K, int ldc,
					    long long strideC, int chunk, float alpha, float beta)
{
	using TileA = typename Math::TileA;
	using TileB = typename Math::TileB;
	constexpr int BK = Math::BK;
	int m0, n0, wm, wn;
	tile_origin(M, N, m0, n0);
	warp_corner(wm, wn);
	const View va(XA, wordsA), vb(XB, wordsB);
	const int t0 = blockIdx.z * chunk;
	const int steps = max(min(t0 + chunk, (K + BK - 1) / BK) - t0, 0);
	int k0 = t0 * BK;
	auto fetch = [&](float *As) {
		gather_k<TileA, BK>(As, va, m0, M, k0, K);
		gather_k<TileB, BK>(As + TileA::SIZE, vb, n0, N, k0, K);
		k0 += BK;
	};
	const int lane = threadIdx.x % 32;
	Math math;
	mainloop(math, steps, fetch, wm, wn, lane);
	math.store(m0 + wm, n0 + wn, lane, DenseOut{C + blockIdx.z * strideC, M, N, ldc, alpha, beta});
}

} // namespace

// Entry points. Launch with 256 threads, grid (ceil(M/128)*ceil(N/128), 1,
// z) and the dynamic shared memory of the GEMM of the same math (gemm.cu).
//
// conv_data_*: C, A, X, view, bias (device pointers; bias may be null), M,
// N, K, lda, vecA (int32, vecA nonzero when A allows 16-byte copies); z 1.
#define CONV_DATA_ENTRY(name, Math, DIV)                                                                         \
	extern "C" __global__ void __launch_bounds__(kThreads, 2)                                                    \
		name(float *__restrict__ C, const float *__restrict__ A, const float *__restrict__ X,               \
		     const int *__restrict__ view, const float *__restrict__ bias, int M, int N, int K, int lda,   \
		     int vecA)                                                                                     \
	{                                                                                                          \
		conv_data<Math<false, false>, DIV>(C, A, X, view, bias, M, N, K, lda, vecA);                      \
	}

CONV_DATA_ENTRY(conv_data_tf32, Tf32, false)
CONV_DATA_ENTRY(conv_data_bf16, Bf16, false)
CONV_DATA_ENTRY(conv_data_f32, F32, false)
CONV_DATA_ENTRY(conv_data_tf32_strided, Tf32, true)
CONV_DATA_ENTRY(conv_data_bf16_strided, Bf16, true)
CONV_DATA_ENTRY(conv_data_f32_strided, F32, true)

// conv_weight_*: C, XA, viewA, XB, viewB (device pointers), M, N, K, ldc
// (int32), strideC (int64, floats between slices' outputs), chunk (int32,
// k steps per slice), alpha, beta (float32); z the number of slices.
#define CONV_WEIGHT_ENTRY(name, Math)                                                                            \
	extern "C" __global__ void __launch_bounds__(kThreads, 2)                                                    \
		name(float *__restrict__ C, const float *__restrict__ XA, const int *__restrict__ viewA,            \
		     const float *__restrict__ XB, const int *__restrict__ viewB, int M, int N, int K, int ldc,    \
		     long long strideC, int chunk, float alpha, float beta)                                         \
	{                                                                                                          \
		conv_weight<Math<false, true>>(C, XA, viewA, XB, viewB, M, N, K, ldc, strideC, chunk, alpha, beta); \
	}

CONV_WEIGHT_ENTRY(conv_weight_tf32, Tf32)
CONV_WEIGHT_ENTRY(conv_weight_bf16, Bf16)
CONV_WEIGHT_ENTRY(conv_weight_f32, F32)

// conv_weight_t writes the weight w [O, C, KK] (KK the kernel's area)
// permuted to wt [C, O, KK]: the data gradient's A, whose k = (o, kh, kw)
// matches convmap.DataGrad's rows (the model is convmap.PermuteWeight).
// One thread per element of wt, so the writes coalesce.
extern "C" __global__ void conv_weight_t(float *wt, const float *w, int O, int C, int KK)
{
	FOR_EACH(i, (long long)O * C * KK)
	{
		const int r = (int)(i % KK);
		const long long q = i / KK;
		const int co = (int)(q % O), ci = (int)(q / O);
		wt[i] = w[((long long)co * C + ci) * KK + r];
	}
}
