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
//       unless bias is null, then through a ReLU if asked (the forward
//       pass of a convolution followed by one), and zero where mask,
//       unless null, is not positive (the data gradient through a ReLU
//       before the convolution, whose output mask is). The forward pass:
//       A the weight [O, C*KH*KW], V convmap.Forward's view of x. The data
//       gradient: A the weight permuted to [C, O*KH*KW] by conv_weight_t,
//       V convmap.DataGrad's view of dy (the _strided variant for strides
//       above 1, which divides).
//   conv_weight_<math>  C = alpha * D x V^T + beta*C over k = (image,
//       position): the weight gradient, D the output gradient dy read as
//       M rows of N*P columns (gather_rows: no view needed, nothing is
//       padding) and V the forward view of x. Split into slices of k steps
//       as the GEMM's batch sums are (gemm.cu), the host adding them with
//       gemm_reduce.
//
// <math> is tf32, bf16 or f32, as for the GEMM. Each k step's image tile is
// copied one float at a time (cp.async of 4 bytes, zero-filled for the
// padding and the edges), spread over the threads so that a warp reads 32
// consecutive columns: consecutive addresses for a stride-1 view. A C or
// mask stored in bfloat16 is rounded or widened in the epilogue; an image
// stored in bfloat16 the device widens into a workspace first, one pass
// over it (cuda's imageOperand): loaded through registers inside the
// product, two bytes at a time where cp.async copies four, its elements
// had cost the main loop 15-145% more instructions.
#include "gemm_core.cuh"
#include "conv_gather.cuh"

namespace {

// conv_data is the body of conv_data_*; Math is the <false, false> math.
// C is written in bfloat16 when y16 is set, and the mask read in bfloat16
// when m16 is (ImageOut).
template <class Math, bool DIV>
__device__ __forceinline__ void conv_data(void *__restrict__ C, const float *__restrict__ A,
					  const float *__restrict__ X, const int *__restrict__ words,
					  const float *__restrict__ bias, const void *__restrict__ mask, int M, int N,
					  int K, int lda, int vecA, int withReLU, int y16, int m16)
{
	using TileA = typename Math::TileA;
	using TileB = typename Math::TileB;
	constexpr int BK = Math::BK;
	const Place at(M, N);
	const View view(X, words);
	const GatherMN<TileB, BK, DIV> gather(view, at.n0, N);
	int k0 = 0;
	auto fetch = [&](float *As) {
		TileA::template load<false>(As, A, lda, at.m0, M, k0, K, vecA);
		gather.load(As + TileA::SIZE, view, k0, K);
		k0 += BK;
	};
	Math math;
	mainloop(math, (K + BK - 1) / BK, fetch, at);
	const int P = view.f(&ViewHeader::P);
	if (y16 && m16)
		store(math, at, ImageOut<true, true>{C, bias, mask, M, N, P, withReLU});
	else if (y16)
		store(math, at, ImageOut<true, false>{C, bias, mask, M, N, P, withReLU});
	else if (m16)
		store(math, at, ImageOut<false, true>{C, bias, mask, M, N, P, withReLU});
	else
		store(math, at, ImageOut<false, false>{C, bias, mask, M, N, P, withReLU});
}

// conv_weight is the body of conv_weight_*; Math is the <false, true> math.
// Block z covers k steps [z*chunk, z*chunk+chunk) and writes C + z*strideC.
template <class Math>
__device__ __forceinline__ void conv_weight(float *__restrict__ C, const float *__restrict__ DY, int P,
					    const float *__restrict__ X, const int *__restrict__ words, int M, int N,
					    int K, int ldc, long long strideC, int chunk, float alpha, float beta)
{
	using TileA = typename Math::TileA;
	using TileB = typename Math::TileB;
	constexpr int BK = Math::BK;
	const Place at(M, N);
	const View vb(X, words);
	const int t0 = blockIdx.z * chunk;
	const int steps = max(min(t0 + chunk, (K + BK - 1) / BK) - t0, 0);
	int k0 = t0 * BK;
	auto fetch = [&](float *As) {
		gather_rows<TileA, BK>(As, DY, M, P, at.m0, M, k0, K);
		gather_k<TileB, BK>(As + TileA::SIZE, vb, at.n0, N, k0, K);
		k0 += BK;
	};
	Math math;
	mainloop(math, steps, fetch, at);
	store(math, at, DenseOut{C + blockIdx.z * strideC, M, N, ldc, alpha, beta});
}

} // namespace

// Entry points. Launch with 128 threads, grid (ceil(M/128)*ceil(N/128), 1,
// z) and the dynamic shared memory of the GEMM of the same math (gemm.cu).
//
// conv_data_*: C, A, X, view, bias, mask (device pointers; bias and mask
// may be null), M, N, K, lda, vecA, withReLU, y16, m16 (int32; vecA
// nonzero when A allows 16-byte copies, withReLU nonzero to write
// max(C, 0), y16 and m16 nonzero for a C and a mask in bfloat16); z 1.
#define CONV_DATA_ENTRY(name, Math, DIV)                                                                          \
	extern "C" __global__ void __launch_bounds__(kThreads, 2)                                                    \
		name(void *__restrict__ C, const float *__restrict__ A, const float *__restrict__ X,                \
		     const int *__restrict__ view, const float *__restrict__ bias, const void *__restrict__ mask,   \
		     int M, int N, int K, int lda, int vecA, int withReLU, int y16, int m16)                       \
	{                                                                                                          \
		conv_data<Math<false, false>, DIV>(C, A, X, view, bias, mask, M, N, K, lda, vecA, withReLU, y16,  \
						   m16);                                                           \
	}

CONV_DATA_ENTRY(conv_data_tf32, Tf32, false)
CONV_DATA_ENTRY(conv_data_bf16, Bf16, false)
CONV_DATA_ENTRY(conv_data_f32, F32, false)
CONV_DATA_ENTRY(conv_data_tf32_strided, Tf32, true)
CONV_DATA_ENTRY(conv_data_bf16_strided, Bf16, true)
CONV_DATA_ENTRY(conv_data_f32_strided, F32, true)

// conv_weight_*: C, DY (device pointers), P (int32, positions per output
// image), X, view (device pointers), M, N, K, ldc (int32), strideC (int64,
// floats between slices' outputs), chunk (int32, k steps per slice),
// alpha, beta (float32); z the number of slices.
#define CONV_WEIGHT_ENTRY(name, Math)                                                                            \
	extern "C" __global__ void __launch_bounds__(kThreads, 2)                                                    \
		name(float *__restrict__ C, const float *__restrict__ DY, int P, const float *__restrict__ X,       \
		     const int *__restrict__ view, int M, int N, int K, int ldc, long long strideC, int chunk,     \
		     float alpha, float beta)                                                                       \
	{                                                                                                          \
		conv_weight<Math<false, true>>(C, DY, P, X, view, M, N, K, ldc, strideC, chunk, alpha, beta);     \
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
