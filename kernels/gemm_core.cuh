// The tensor-core and FP32 matrix-product core shared by the GEMM
// (gemm.cu) and the implicit-GEMM convolution (conv.cu): operand tiles in
// shared memory, the warp's math, and the pipeline that feeds it. Each
// kernel file brings its own way of copying an operand tile in (fetch) and
// of writing C out (out). Three kinds of arithmetic: TF32 tensor cores
// (inputs rounded to 10 mantissa bits, products summed in FP32), BF16
// tensor cores (inputs rounded to 7 mantissa bits, to nearest even as the
// CPU's BF16 products, products summed in FP32) and exact FP32 FMAs. Every
// operand stays float32 in global and shared memory; the tensor-core maths
// round as they build their instruction operands.
//
// Tile hierarchy
//   block   128 threads compute one 128x128 tile of C. They walk k in steps
//           of BK (32 on the tensor cores, 16 for FP32) through a ring of
//           kStages shared-memory buffers filled by cp.async: while step t
//           is multiplied, the copies of steps t+1 .. t+kStages-1 are in
//           flight (mainloop). Copies are zero-filled past the edges of
//           the operands, so any M, N, K works (zeros past K add nothing in
//           any precision); only the writes of C check the edges.
//   warp    4 warps, 2 along M by 2 along N, each own a 64x64 tile of C:
//           each fragment a warp reads from shared memory serves 8 (A) or
//           4 (B) mmas, where 64x32 warp tiles made shared memory's
//           bandwidth the limit.
//   thread  Tensor cores: the warp tile is 4x8 tiles of 16x8, each an
//           mma.sync m16n8k8 (TF32) per 8 k or m16n8k16 (BF16) per 16 k; a
//           thread holds 128 accumulators in the mma fragment layout and
//           reads its fragments from shared memory (ldmatrix where k is
//           contiguous), rounding them to TF32 (mma.cuh's to_tf32, one
//           add to the bits) or with cvt.rn (BF16, two values packed per
//           register).
//           FP32: a thread holds an 8x16 block of C (4x4 blocks 32 rows
//           and 16 columns apart) and does a rank-1 update per k from two
//           float4 reads of A and four of B.
//
// Shared-memory layouts. An operand tile is BK deep in k and 128 wide in m
// (A) or n (B). The tensor-core maths keep each operand of a GEMM in its
// orientation in global memory (TA: A is k-major; TB: B has k contiguous),
// so every dense copy is a 16-byte cp.async when the matrix is 16-byte
// aligned with a leading dimension and batch stride divisible by 4 (4-byte
// copies otherwise); rows are padded so that the fragment reads of a warp
// hit different banks (k-major rows by 8 floats, k-contiguous rows by 4).
// The FP32 maths want k-major tiles for their float4 reads, so an operand
// stored with k contiguous is transposed on the way in by 4-byte copies.
#pragma once

#include "common.cuh"
#include "mma.cuh"

// smem4 is the dynamic shared memory of the kernels built on this core
// (see smem_ring); float4 keeps it 16-byte aligned for cp.async. The host
// check declares its own.
#ifdef __CUDACC__
extern __shared__ float4 smem4[];
#endif

namespace {


constexpr int kThreads = 128; // 4 warps
constexpr int kTile = 128;    // BM = BN
constexpr int kTileLD = 132;  // floats between rows of a tile of C in shared memory (store)
constexpr int kGroupM = 8;    // tile rows per group of the grid order

// ---- PTX wrappers ----
// Compiled as C++ for the host (kernels/internal/hostcheck), the file gets
// stand-ins for these instead, which copy at once.
#ifdef __CUDACC__

// cp_async16 starts copying the first `bytes` (0, 4, 8, 12 or 16) of the 16
// bytes at src to dst and zero-fills the rest; both must be 16-byte aligned.
__device__ __forceinline__ void cp_async16(float *dst, const float *src, int bytes)
{
	const unsigned d = (unsigned)__cvta_generic_to_shared(dst);
	asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(bytes) : "memory");
}

// cp_async4 copies one float (bytes 4) or writes a zero (bytes 0).
__device__ __forceinline__ void cp_async4(float *dst, const float *src, int bytes)
{
	const unsigned d = (unsigned)__cvta_generic_to_shared(dst);
	asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(d), "l"(src), "r"(bytes) : "memory");
}

// cp_async_commit closes the group of copies this thread started since the
// last commit.
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

// cp_async_wait waits until at most N of this thread's groups are pending.
template <int N>
__device__ __forceinline__ void cp_async_wait()
{
	asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// ldmatrix_x4 loads four 8x4 float matrices (8x8 in 16-bit units) from
// shared memory: lanes 8q..8q+7 give the addresses of the 16-byte rows of
// matrix q, and each lane receives in r[q] the float at row lane/4,
// column lane%4 of matrix q: the layout of an mma.m16n8k8 TF32 fragment.
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const float *row)
{
	const unsigned a = (unsigned)__cvta_generic_to_shared(row);
	asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
		     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
		     : "r"(a));
}

// dynamic_smem_bytes returns the dynamic shared memory the launch gave.
__device__ __forceinline__ unsigned dynamic_smem_bytes()
{
	unsigned r;
	asm("mov.u32 %0, %%dynamic_smem_size;\n" : "=r"(r));
	return r;
}

#endif // __CUDACC__
// ---- end of PTX wrappers ----

// Tile places one operand's share of a k step in shared memory: MN rows of
// C (m for A, n for B) by BK values of k. KMAJOR stores element (mn, k) at
// k*LD + mn, otherwise at mn*LD + k; PAD skews the rows against bank
// conflicts.
template <int MN, int BK, bool KMAJOR, int PAD>
struct Tile {
	static constexpr int LD = (KMAJOR ? MN : BK) + PAD;
	static constexpr int SIZE = (KMAJOR ? BK : MN) * LD; // floats
	static_assert(LD % 4 == 0, "rows must stay 16-byte aligned");

	static __device__ __forceinline__ int at(int mn, int k) { return KMAJOR ? k * LD + mn : mn * LD + k; }

	// load starts the copies of rows [mn0, mn0+MN) and k [k0, k0+BK) of
	// op(X) into s, zero-filling what lies past mnEnd or kEnd. GK says how
	// X is stored: k-major (K rows of length MN) or not, with leading
	// dimension ld. vec allows 16-byte copies (x 16-byte aligned, ld a
	// multiple of 4); only a copy that keeps the orientation can use them.
	template <bool GK>
	static __device__ __forceinline__ void load(float *s, const float *x, int ld, int mn0, int mnEnd, int k0, int kEnd,
						    bool vec)
	{
		constexpr int ROWS = GK ? BK : MN, COLS = GK ? MN : BK;
		const int r0 = GK ? k0 : mn0, c0 = GK ? mn0 : k0;
		const int rows = (GK ? kEnd : mnEnd) - r0, cols = (GK ? mnEnd : kEnd) - c0;
		// A copy names its element's address even past the edges, where
		// its size is 0 and nothing is read (as the gathers' copies do).
		const float *g = x + (long long)r0 * ld + c0;
		if constexpr (GK == KMAJOR) {
			// The orientation is kept: a thread copies 4 consecutive
			// floats of rows r, r+RS, ..., in one 16-byte copy when vec
			// allows, else in 4-byte copies.
			constexpr int CH = COLS / 4, RS = kThreads / CH; // 16-byte chunks per row, rows per pass
			static_assert(kThreads % CH == 0 && ROWS % RS == 0, "chunks must divide among the threads");
			const int r = threadIdx.x / CH, c = threadIdx.x % CH * 4;
			const int n = min(max(cols - c, 0), 4); // floats of the chunk inside X
			const float *p = g + (long long)r * ld + c;
			if (vec) {
#pragma unroll
				for (int i = 0; i < ROWS / RS; ++i, p += (long long)RS * ld) {
					const int m = r + i * RS < rows ? n : 0;
					cp_async16(s + (r + i * RS) * LD + c, p, 4 * m);
				}
			} else {
#pragma unroll
				for (int i = 0; i < ROWS / RS; ++i, p += (long long)RS * ld) {
					const int m = r + i * RS < rows ? n : 0;
#pragma unroll
					for (int q = 0; q < 4; ++q)
						cp_async4(s + (r + i * RS) * LD + c + q, p + q, q < m ? 4 : 0);
				}
			}
		} else {
			// Transposed on the way: element (r, c) of X goes to c*LD + r.
			// Consecutive threads read consecutive addresses of X.
			constexpr int RS = kThreads / COLS;
			static_assert(kThreads % COLS == 0 && ROWS % RS == 0, "elements must divide among the threads");
			const int r = threadIdx.x / COLS, c = threadIdx.x % COLS;
			const float *p = g + (long long)r * ld + c;
#pragma unroll
			for (int i = 0; i < ROWS / RS; ++i, p += (long long)RS * ld) {
				const bool in = r + i * RS < rows && c < cols;
				cp_async4(s + c * LD + r + i * RS, p, in ? 4 : 0);
			}
		}
	}
};

// put stores alpha*v + beta*(*c) into *c. With beta 0 it never reads *c,
// which may then hold anything, NaN included.
__device__ __forceinline__ void put(float *c, float v, float alpha, float beta)
{
	*c = beta == 0.0f ? alpha * v : fmaf(beta, *c, alpha * v);
}

// An Out writes a product's elements where they go: row(m) and col(n)
// decode what depends on the row or the column alone, and put(r, c, v)
// writes element (m, n), r and c their decodings, if it lies inside C
// (see store): DenseOut for a GEMM and a weight gradient, conv_gather.cuh's
// ImageOut for a convolution's output.
//
// DenseOut writes C = alpha*product + beta*C into a dense row-major C of
// M x N with leading dimension ldc.
struct DenseOut {
	float *C;
	int M, N, ldc;
	float alpha, beta;

	// Row is row m's start, null past M.
	using Row = float *;
	// Col is column n, or -1 past N.
	using Col = int;

	__device__ __forceinline__ Row row(int m) const { return m < M ? C + (long long)m * ldc : nullptr; }
	__device__ __forceinline__ Col col(int n) const { return n < N ? n : -1; }

	__device__ __forceinline__ void put(Row r, Col c, float v) const
	{
		if (r && c >= 0)
			::put(r + c, v, alpha, beta);
	}
};

// Tf32Op and Bf16Op are the instructions of TensorCore: K, the k one mma
// covers; a and b, which turn the floats of the K/8 m16n8k8 fragments at
// k, k+8, ... (x[s], see TensorCore) into the operand registers of one mma;
// and mma itself.
//
// Tf32Op: one m16n8k8 per 8 k, every float rounded to TF32.
struct Tf32Op {
	static constexpr int K = 8;

	static __device__ __forceinline__ void a(unsigned (&r)[4], const float (&x)[1][4])
	{
#pragma unroll
		for (int e = 0; e < 4; ++e)
			r[e] = to_tf32(x[0][e]);
	}

	static __device__ __forceinline__ void b(unsigned (&r)[2], const float (&x)[1][2])
	{
		r[0] = to_tf32(x[0][0]), r[1] = to_tf32(x[0][1]);
	}

	static __device__ __forceinline__ void mma(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
	{
		mma_tf32(d, a, b);
	}
};

// Bf16Op: one m16n8k16 per 16 k, every float rounded to bfloat16.
//
// The fragments of mma.m16n8k16 with .bf16 operands (g = lane/4, t =
// lane%4, c = 2t), as registers of two values, the first in the lower
// half: a0..a3 = A(g, c..c+1), A(g+8, c..c+1), A(g, c+8..c+9),
// A(g+8, c+8..c+9); b0, b1 = B(c..c+1, g), B(c+8..c+9, g); C as for
// m16n8k8 (PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point
// type", whose a0..a7 are the values, two per register). The 16 columns
// of the instruction's A (rows of its B) may stand for any 16 values of k
// in any order, as long as both operands agree: column 2t+e+8h is taken to
// be k = t+4e+8h. A thread then holds exactly the values of two m16n8k8
// fragments, at k and k+8, and the reads of the TF32 kernels serve
// unchanged, bank-conflict free, ldmatrix included: with x[s] the m16n8k8
// fragment at k+8s, a0 = (x[0][0], x[0][2]), a1 = (x[0][1], x[0][3]),
// a2 = (x[1][0], x[1][2]), a3 = (x[1][1], x[1][3]); b0 = (x[0][0],
// x[0][1]), b1 = (x[1][0], x[1][1]).
struct Bf16Op {
	static constexpr int K = 16;

	static __device__ __forceinline__ void a(unsigned (&r)[4], const float (&x)[2][4])
	{
#pragma unroll
		for (int s = 0; s < 2; ++s)
			r[2 * s] = to_bf16x2(x[s][0], x[s][2]), r[2 * s + 1] = to_bf16x2(x[s][1], x[s][3]);
	}

	static __device__ __forceinline__ void b(unsigned (&r)[2], const float (&x)[2][2])
	{
		r[0] = to_bf16x2(x[0][0], x[0][1]), r[1] = to_bf16x2(x[1][0], x[1][1]);
	}

	static __device__ __forceinline__ void mma(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
	{
		mma_bf16(d, a, b);
	}
};

// TensorCore is the tensor-core math of a warp: a 64x64 tile of C as 4x8
// tiles of 16x8, each multiplied by Op's mma (see Tf32Op and Bf16Op).
//
// Fragments are read from shared memory as floats in the layout of
// mma.m16n8k8 (g = lane/4, t = lane%4): a thread holds a0..a3 = A(g, t),
// A(g+8, t), A(g, t+4), A(g+8, t+4); b0, b1 = B(t, g), B(t+4, g); c0..c3 =
// C(g, 2t), C(g, 2t+1), C(g+8, 2t), C(g+8, 2t+1). Op rounds them into its
// operands. An operand stored with k contiguous (A without TransA, B with
// it) is read with ldmatrix: one instruction gives a0..a3, or b0, b1 of two
// tiles. A k-major A gives its fragments in 64-bit pairs instead, because
// fragment rows g and g+8 are taken to be rows 2g and 2g+1 of the 16 (any
// order of the rows works if C uses the same); a k-major B needs two
// 32-bit reads. (Read in 64-bit pairs too, its columns paired, B's
// fragments came in the wrong registers for mma's operand pairs: ptxas
// moved two registers for every mma.) Rows of 36 floats (k-contiguous) or
// 136 (k-major) put the reads of a warp (or, for 64-bit reads, of each
// half-warp) in different banks.
template <bool TA, bool TB, class Op>
struct TensorCore {
	static constexpr int BK = 32;
	static constexpr int kStages = 3;
	// A is k-major in memory when transposed, B when not.
	using TileA = Tile<kTile, BK, TA, TA ? 8 : 4>;
	using TileB = Tile<kTile, BK, !TB, TB ? 4 : 8>;
	// Every variant reserves the larger layout, so the host needs one size.
	static constexpr int kStageFloats = 2 * kTile * (BK + 4);
	static_assert(TileA::SIZE + TileB::SIZE <= kStageFloats, "stage too small");
	// m16n8k8 fragments per mma.
	static constexpr int S = Op::K / 8;
	static_assert(Op::K % 8 == 0 && BK % Op::K == 0, "a k step holds whole mma steps");

	float acc[4][8][4] = {};

	// row returns the row of the warp's 16-row tile i that fragment row g
	// (h 0) or g+8 (h 1) stands for.
	static __device__ __forceinline__ int row(int i, int g, int h) { return i * 16 + (TA ? 2 * g + h : g + 8 * h); }

	// fragA reads x, the m16n8k8 fragment of the warp's 16-row tile i of
	// A at k offset kk of the step.
	static __device__ __forceinline__ void fragA(float (&x)[4], const float *As, int wm, int i, int kk, int lane)
	{
		if constexpr (TA) {
			const int g = lane / 4, t = lane % 4;
			const int m = wm + row(i, g, 0);
			const float2 u = *reinterpret_cast<const float2 *>(As + TileA::at(m, kk + t));
			const float2 v = *reinterpret_cast<const float2 *>(As + TileA::at(m, kk + t + 4));
			x[0] = u.x, x[1] = u.y, x[2] = v.x, x[3] = v.y;
		} else {
			// ldmatrix: this lane's row address is row lane%8 of matrix q.
			const int q = lane / 8, r = lane % 8;
			unsigned u[4];
			ldmatrix_x4(u, As + TileA::at(wm + i * 16 + q % 2 * 8 + r, kk + q / 2 * 4));
#pragma unroll
			for (int e = 0; e < 4; ++e)
				x[e] = __uint_as_float(u[e]);
		}
	}

	// fragB reads x[j], the m16n8k8 fragments of the warp's eight 8-column
	// tiles of B at k offset kk of the step.
	static __device__ __forceinline__ void fragB(float (&x)[8][2], const float *Bs, int wn, int kk, int lane)
	{
		if constexpr (TB) {
			const int q = lane / 8, r = lane % 8;
#pragma unroll
			for (int j = 0; j < 8; j += 2) {
				unsigned u[4]; // x[j][0], x[j][1], x[j+1][0], x[j+1][1]
				ldmatrix_x4(u, Bs + TileB::at(wn + (j + q / 2) * 8 + r, kk + q % 2 * 4));
				x[j][0] = __uint_as_float(u[0]), x[j][1] = __uint_as_float(u[1]);
				x[j + 1][0] = __uint_as_float(u[2]), x[j + 1][1] = __uint_as_float(u[3]);
			}
		} else {
			const int g = lane / 4, t = lane % 4;
#pragma unroll
			for (int j = 0; j < 8; ++j) {
				const int n = wn + j * 8 + g;
				x[j][0] = Bs[TileB::at(n, kk + t)];
				x[j][1] = Bs[TileB::at(n, kk + t + 4)];
			}
		}
	}

	// step multiplies one k step.
	__device__ __forceinline__ void step(const float *As, const float *Bs, int wm, int wn, int lane)
	{
#pragma unroll
		for (int kk = 0; kk < BK; kk += Op::K) {
			unsigned b[8][2];
			{
				float x[8][S][2];
#pragma unroll
				for (int s = 0; s < S; ++s) {
					float y[8][2];
					fragB(y, Bs, wn, kk + 8 * s, lane);
#pragma unroll
					for (int j = 0; j < 8; ++j)
						x[j][s][0] = y[j][0], x[j][s][1] = y[j][1];
				}
#pragma unroll
				for (int j = 0; j < 8; ++j)
					Op::b(b[j], x[j]);
			}
#pragma unroll
			for (int i = 0; i < 4; ++i) {
				float x[S][4];
#pragma unroll
				for (int s = 0; s < S; ++s)
					fragA(x[s], As, wm, i, kk + 8 * s, lane);
				unsigned a[4];
				Op::a(a, x);
#pragma unroll
				for (int j = 0; j < 8; ++j)
					Op::mma(acc[i][j], a, b[j]);
			}
		}
	}

	// stash writes each accumulator into tile, the block's tile of C in
	// shared memory (row m at tile + m*kTileLD); (wm, wn) is the corner of
	// the warp's tile in the block's.
	__device__ __forceinline__ void stash(float *tile, int wm, int wn, int lane) const
	{
		const int g = lane / 4, t = lane % 4;
#pragma unroll
		for (int i = 0; i < 4; ++i)
#pragma unroll
			for (int h = 0; h < 2; ++h) {
				float *r = tile + (wm + row(i, g, h)) * kTileLD + wn + 2 * t;
#pragma unroll
				for (int j = 0; j < 8; ++j)
#pragma unroll
					for (int e = 0; e < 2; ++e)
						r[j * 8 + e] = acc[i][j][2 * h + e];
			}
	}
};

// Tf32 and Bf16 are the two tensor-core maths.
template <bool TA, bool TB>
using Tf32 = TensorCore<TA, TB, Tf32Op>;
template <bool TA, bool TB>
using Bf16 = TensorCore<TA, TB, Bf16Op>;

// F32 is the exact FP32 math of a warp: a 64x64 tile of C as 8x4 threads
// with 8x16 outputs each. Lane (r, c) = (lane/4, lane%4) owns rows
// 4r..4r+3 and 32+4r..32+4r+3, and columns 16h+4c..16h+4c+3 for h 0..3,
// of the warp tile: a float4 read of a k-major row then serves 8 (A) or 4
// (B) distinct addresses per warp, one shared-memory wavefront each.
template <bool TA, bool TB>
struct F32 {
	static constexpr int BK = 16;
	static constexpr int kStages = 4;
	using TileA = Tile<kTile, BK, true, 4>;
	using TileB = Tile<kTile, BK, true, 4>;
	static constexpr int kStageFloats = TileA::SIZE + TileB::SIZE;

	float acc[8][16] = {};

	__device__ __forceinline__ void step(const float *As, const float *Bs, int wm, int wn, int lane)
	{
		const int r = lane / 4, c = lane % 4;
#pragma unroll
		for (int k = 0; k < BK; ++k) {
			float a[8], b[16];
#pragma unroll
			for (int h = 0; h < 2; ++h) {
				const float4 x = *reinterpret_cast<const float4 *>(As + TileA::at(wm + h * 32 + r * 4, k));
				a[4 * h] = x.x, a[4 * h + 1] = x.y, a[4 * h + 2] = x.z, a[4 * h + 3] = x.w;
			}
#pragma unroll
			for (int h = 0; h < 4; ++h) {
				const float4 y = *reinterpret_cast<const float4 *>(Bs + TileB::at(wn + h * 16 + c * 4, k));
				b[4 * h] = y.x, b[4 * h + 1] = y.y, b[4 * h + 2] = y.z, b[4 * h + 3] = y.w;
			}
#pragma unroll
			for (int i = 0; i < 8; ++i)
#pragma unroll
				for (int j = 0; j < 16; ++j)
					acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
		}
	}

	// stash writes each accumulator into tile, as TensorCore's does.
	__device__ __forceinline__ void stash(float *tile, int wm, int wn, int lane) const
	{
		const int r = lane / 4, c = lane % 4;
#pragma unroll
		for (int i = 0; i < 8; ++i) {
			float *rw = tile + (wm + i / 4 * 32 + r * 4 + i % 4) * kTileLD + wn + c * 4;
#pragma unroll
			for (int j = 0; j < 16; ++j)
				rw[j / 4 * 16 + j % 4] = acc[i][j];
		}
	}
};

// smem_ring returns the dynamic shared memory as Math's ring of kStages
// buffers, each an A tile followed by a B tile. A launch with less shared
// memory than the ring needs is a host bug that would otherwise corrupt
// memory silently, so it traps.
template <class Math>
__device__ __forceinline__ float *smem_ring()
{
	if (dynamic_smem_bytes() < Math::kStages * Math::kStageFloats * sizeof(float))
		__trap();
	return reinterpret_cast<float *>(smem4);
}

// Place is where a thread works in an M x N product: the corner (m0, n0)
// of its block's tile of C, the corner (wm, wn) of its warp's 64x64 tile
// within the block's, and its lane. Blocks take tiles in grouped order:
// kGroupM tile rows are walked column by column, so that the blocks
// resident at one time share rows of A and columns of B in L2.
struct Place {
	int m0, n0, wm, wn, lane;

	__device__ __forceinline__ Place(int M, int N) : lane(threadIdx.x % 32)
	{
		const int tilesM = (M + kTile - 1) / kTile, tilesN = (N + kTile - 1) / kTile;
		const int perGroup = kGroupM * tilesN, first = blockIdx.x / perGroup * kGroupM;
		const int groupRows = min(tilesM - first, kGroupM), inGroup = blockIdx.x % perGroup;
		m0 = (first + inGroup % groupRows) * kTile, n0 = inGroup / groupRows * kTile;
		const int warp = threadIdx.x / 32;
		wm = warp / 2 * 64, wn = warp % 2 * 64;
	}
};

// store hands the block's tile of C to out (an Out). The warps first
// stash their accumulators in shared memory (the ring, which the main
// loop is done with); then thread tid walks column tid of the tile down
// its rows, so that a warp writes 32 neighbouring columns of a row of C at
// a time, what depends on the column is decoded once, and each element's
// code is one loop body. Written from the warps' fragments, an element's
// code was repeated for each of a thread's 128 (most of a convolution
// kernel's instructions), and a warp's writes spread over 8 rows.
template <class Math, class Out>
__device__ __forceinline__ void store(const Math &math, const Place &at, const Out &out)
{
	static_assert(kTile * kTileLD <= Math::kStages * Math::kStageFloats, "the ring holds the tile");
	static_assert(kThreads == kTile, "a thread a column");
	float *tile = smem_ring<Math>();
	__syncthreads(); // every warp is done with the ring
	math.stash(tile, at.wm, at.wn, at.lane);
	__syncthreads();
	const int n = threadIdx.x;
	const typename Out::Col c = out.col(at.n0 + n);
#pragma unroll 4
	for (int m = 0; m < kTile; ++m)
		out.put(out.row(at.m0 + m), c, tile[m * kTileLD + n]);
}

// mainloop multiplies `steps` k steps of the block's tile into math:
// fetch(As) starts the copies of the next step's A tile into As and of its
// B tile into As + TileA::SIZE (fetch keeps track of which step is next),
// and the thread's warp (at) multiplies each step once it has landed.
template <class Math, class Fetch>
__device__ __forceinline__ void mainloop(Math &math, int steps, Fetch fetch, const Place &at)
{
	constexpr int kStages = Math::kStages, kStage = Math::kStageFloats;
	float *smem = smem_ring<Math>();
	// One commit per step, empty or not, keeps the group count in step
	// with t: when step t starts, groups 0..t must be complete.
	for (int s = 0; s < kStages - 1; ++s) {
		if (s < steps)
			fetch(smem + s * kStage);
		cp_async_commit();
	}
	for (int t = 0; t < steps; ++t) {
		cp_async_wait<kStages - 2>();
		// Step t is visible to all, and all are done with step t-1,
		// whose buffer the next fetch reuses.
		__syncthreads();
		if (t + kStages - 1 < steps)
			fetch(smem + (t + kStages - 1) % kStages * kStage);
		cp_async_commit();
		const float *As = smem + t % kStages * kStage;
		math.step(As, As + Math::TileA::SIZE, at.wm, at.wn, at.lane);
	}
}

} // namespace
