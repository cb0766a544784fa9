// GEMM: C_i = alpha*op(A_i)*op(B_i) + beta*C_i for i in a batch, row-major,
// with the semantics of tensor.GemmArgs, on the core of gemm_core.cuh:
// gemm_tf32_* multiply on the TF32 tensor cores, gemm_bf16_* on the BF16
// ones, gemm_f32_* in exact FP32 FMAs. The suffix names the transposes:
// _nt is op(A) = A, op(B) = B^T.
//
// The grid's x walks the 128x128 tiles of C (Place); its z is the
// batch entry, or one slice of a split k range (below).
//
// Batches and sums. The k loop runs over a sequence of (batch entry, k step)
// pairs. With a batch of separate outputs (StrideC != 0) block z runs the k
// steps of entry z and writes C_z. To sum the batch into one C (StrideC 0,
// a convolution's weight gradient), or to spread a long k over more blocks
// than the tiles of C give, the host cuts the whole sequence into slices of
// `chunk` steps: with one slice the block accumulates across entries and
// writes C itself; with several, slice z writes its partial product to
// workspace z (alpha 1, beta 0) and gemm_reduce adds the slices in a fixed
// order, so results are deterministic and no float atomics are used.
#include "gemm_core.cuh"

namespace {

// gemm is the body shared by every entry point; see the top of the file.
// Block z covers the steps [z*chunk, z*chunk+chunk) of the sequence of
// batch*ceil(K/BK) (entry, k step) pairs and writes C + z*strideC.
template <class Math, bool TA, bool TB>
__device__ __forceinline__ void gemm(float *__restrict__ C, const float *__restrict__ A, const float *__restrict__ B,
				     int M, int N, int K, int lda, int ldb, int ldc, long long strideA,
				     long long strideB, long long strideC, int batch, int chunk, float alpha, float beta,
				     int vecA, int vecB)
{
	using TileA = typename Math::TileA;
	using TileB = typename Math::TileB;
	constexpr int BK = Math::BK;
	const Place at(M, N);

	const int kSteps = (K + BK - 1) / BK;
	const int t0 = blockIdx.z * chunk;
	const int steps = max(min(t0 + chunk, batch * kSteps) - t0, 0);
	// The (entry, k step) of the next copy to start.
	int entry = 0, ks = 0;
	if (steps > 0) {
		entry = t0 / kSteps;
		ks = t0 - entry * kSteps;
	}
	auto fetch = [&](float *As) {
		TileA::template load<TA>(As, A + entry * strideA, lda, at.m0, M, ks * BK, K, vecA);
		TileB::template load<!TB>(As + TileA::SIZE, B + entry * strideB, ldb, at.n0, N, ks * BK, K, vecB);
		if (++ks == kSteps) {
			ks = 0;
			++entry;
		}
	};

	Math math;
	mainloop(math, steps, fetch, at);
	store(math, at, DenseOut{C + blockIdx.z * strideC, M, N, ldc, alpha, beta});
}

} // namespace

// Entry points. Kernel arguments, in order: C, A, B (device pointers to
// the first matrices), M, N, K, lda, ldb, ldc (int32), strideA, strideB,
// strideC (int64, in floats), batch, chunk (int32), alpha, beta (float32),
// vecA, vecB (int32, nonzero when 16-byte copies are allowed). Launch with
// 128 threads, grid (ceil(M/128)*ceil(N/128), 1, z) and the dynamic shared
// memory kStages*kStageFloats*4: 110592 bytes for TF32 and BF16, 67584
// for FP32.
#define GEMM_ENTRY(name, Math, TA, TB)                                                                             \
	extern "C" __global__ void __launch_bounds__(kThreads, 2)                                                    \
		name(float *__restrict__ C, const float *__restrict__ A, const float *__restrict__ B, int M, int N, \
		     int K, int lda, int ldb, int ldc, long long strideA, long long strideB, long long strideC,     \
		     int batch, int chunk, float alpha, float beta, int vecA, int vecB)                             \
	{                                                                                                          \
		gemm<Math<TA, TB>, TA, TB>(C, A, B, M, N, K, lda, ldb, ldc, strideA, strideB, strideC, batch,     \
					   chunk, alpha, beta, vecA, vecB);                                       \
	}

GEMM_ENTRY(gemm_tf32_nn, Tf32, false, false)
GEMM_ENTRY(gemm_tf32_nt, Tf32, false, true)
GEMM_ENTRY(gemm_tf32_tn, Tf32, true, false)
GEMM_ENTRY(gemm_tf32_tt, Tf32, true, true)
GEMM_ENTRY(gemm_bf16_nn, Bf16, false, false)
GEMM_ENTRY(gemm_bf16_nt, Bf16, false, true)
GEMM_ENTRY(gemm_bf16_tn, Bf16, true, false)
GEMM_ENTRY(gemm_bf16_tt, Bf16, true, true)
GEMM_ENTRY(gemm_f32_nn, F32, false, false)
GEMM_ENTRY(gemm_f32_nt, F32, false, true)
GEMM_ENTRY(gemm_f32_tn, F32, true, false)
GEMM_ENTRY(gemm_f32_tt, F32, true, true)

// gemm_reduce finishes a split GEMM: W holds `slices` partial products of
// M x N (leading dimension N) one after another, and C = alpha*(their sum)
// + beta*C, summed in slice order so the result never depends on timing.
extern "C" __global__ void gemm_reduce(float *C, const float *W, int M, int N, int ldc, int slices, float alpha,
				       float beta)
{
	const long long mn = (long long)M * N;
	FOR_EACH(i, mn)
	{
		float s = 0.0f;
		for (int z = 0; z < slices; ++z)
			s += W[z * mn + i];
		put(C + i / N * ldc + i % N, s, alpha, beta);
	}
}
