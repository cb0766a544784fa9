// The gathers of the implicit-GEMM convolution (conv.cu): how a thread
// reads its share of an image tensor, seen as a matrix through a
// convmap.View, into a shared-memory tile, and where a product's element
// lands in an image tensor. Included after gemm_core.cuh, whose cp_async4,
// kThreads and kTile it uses; the kernels package's host check includes
// it after stand-ins for those instead and runs it on the CPU against
// convmap.View.At (kernels/internal/hostcheck).
#pragma once

static_assert(kThreads == 128 && kTile == 128, "the gathers' thread layouts assume these");

// kWarps is the warps of a block: GatherMN's rows of copies.
constexpr int kWarps = kThreads / 32;

// copy_or_zero starts copying the float at p into *dst, or writes a zero
// there when p is null; valid is any address the copy may name meanwhile.
__device__ __forceinline__ void copy_or_zero(float *dst, const float *p, const float *valid)
{
	cp_async4(dst, p ? p : valid, p ? 4 : 0);
}

#ifdef __CUDACC__
// copy_widened writes the bfloat16 value at p, widened, into *dst, or a
// zero when p is null. cp.async copies 4, 8 or 16 bytes, never 2, so this
// copy passes through a register: the tiles stay float32, and the maths
// read them unchanged. (The host check brings its own, which also notes
// who copied what.)
__device__ __forceinline__ void copy_widened(float *dst, const bf16_t *p) { *dst = p ? widen_bf16(__ldg(p)) : 0.0f; }
#endif

// ViewHeader is the header of convmap.View.Words, field for field.
struct ViewHeader {
	int P, PW, Image, SY, OY, SX, OX, UH, UW, LD, DY, DX, pad[4];
};

// View reads an image tensor x, of elements E (float, or bf16_t for
// activations stored in bfloat16), as a matrix (convmap.View).
template <class E>
struct View {
	const E *x;
	const int4 *table; // row t: Off, H, W, 0
	// The header is read from global memory where used rather than
	// copied whole: a copy of all twelve fields made ptxas spill the
	// accumulators of the strided variants (sm_90).
	const ViewHeader *__restrict__ hp;

	__device__ __forceinline__ View(const E *x, const int *words)
		: x(x), table(reinterpret_cast<const int4 *>(words + sizeof(ViewHeader) / sizeof(int))),
		  hp(reinterpret_cast<const ViewHeader *>(words))
	{
	}

	// f reads a header field, say f(&ViewHeader::P).
	__device__ __forceinline__ int f(const int ViewHeader::*field) const { return __ldg(&(hp->*field)); }

	// Col is what a thread keeps of a decoded column d: the offset of its
	// image and its coordinates before a row's shift. Past the view's
	// last column, y is far outside every view, so that every element of
	// the column is a zero.
	struct Col {
		long long base;
		int y, x;
	};

	__device__ __forceinline__ Col col(int d, int dEnd) const
	{
		Col c;
		const bool in = d < dEnd;
		if (!in)
			d = 0;
		const int P = f(&ViewHeader::P), PW = f(&ViewHeader::PW);
		const int n = d / P, p = d - n * P, y = p / PW;
		c.base = (long long)n * f(&ViewHeader::Image);
		c.y = in ? y * f(&ViewHeader::SY) + f(&ViewHeader::OY) : kFar;
		c.x = (p - y * PW) * f(&ViewHeader::SX) + f(&ViewHeader::OX);
		return c;
	}

	// kFar is a coordinate shift that puts any element outside every view,
	// and the sum of two of them stays an int.
	static constexpr int kFar = -(1 << 29);

	// row returns row t's entry, or past tEnd one whose row shift puts
	// every element outside the view, so that the row copies zeros.
	__device__ __forceinline__ int4 row(int t, int tEnd) const
	{
		return t < tEnd ? __ldg(table + t) : make_int4(0, kFar, 0, 0);
	}

	// src returns the address of the element of row e and column c, or
	// null for a zero. DIV: the coordinates must divide by (DY, DX).
	template <bool DIV>
	__device__ __forceinline__ const E *src(int4 e, const Col &c) const
	{
		int u = c.y + e.y, v = c.x + e.z;
		// One unsigned comparison is both bounds.
		if ((unsigned)u >= (unsigned)f(&ViewHeader::UH) || (unsigned)v >= (unsigned)f(&ViewHeader::UW))
			return nullptr;
		if (DIV) {
			if (u % f(&ViewHeader::DY) != 0 || v % f(&ViewHeader::DX) != 0)
				return nullptr;
			u /= f(&ViewHeader::DY), v /= f(&ViewHeader::DX);
		}
		return x + c.base + e.x + (long long)u * f(&ViewHeader::LD) + v;
	}

	// copy starts copying the element at p into *dst as a float, or writes
	// a zero there when p is null.
	__device__ __forceinline__ void copy(float *dst, const E *p) const
	{
		if constexpr (sizeof(E) == sizeof(float))
			copy_or_zero(dst, p, x);
		else
			copy_widened(dst, p);
	}
};

// GatherMN copies a view whose columns run along the tile's MN side (the B
// operand of conv_data, k-major) into shared memory tile T. Copy (q, i) of
// a thread is element (lane + 32q, warp + kWarps*i) of the tile: its four
// columns stay the same for the whole product, so the thread decodes them
// once, and a warp's 32 lanes copy 32 neighbouring columns.
template <class T, int BK, bool DIV, class V>
struct GatherMN {
	typename V::Col col[4];

	__device__ __forceinline__ GatherMN(const V &v, int mn0, int mnEnd)
	{
		const int lane = threadIdx.x % 32;
#pragma unroll
		for (int q = 0; q < 4; ++q)
			col[q] = v.col(mn0 + lane + 32 * q, mnEnd);
	}

	// load starts the copies of rows [k0, k0+BK) of the view, zeros from
	// kEnd on.
	__device__ __forceinline__ void load(float *s, const V &v, int k0, int kEnd) const
	{
		const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
#pragma unroll
		for (int i = 0; i < BK / kWarps; ++i) {
			const int k = warp + kWarps * i;
			const int4 e = v.row(k0 + k, kEnd);
#pragma unroll
			for (int q = 0; q < 4; ++q)
				v.copy(s + T::at(lane + 32 * q, k), v.template src<DIV>(e, col[q]));
		}
	}
};

// gather_k copies a view whose columns run along k (conv_weight's image
// operand, k-contiguous) into shared memory tile T: rows [mn0, mnEnd) and
// columns [k0, k0+BK), zeros past mnEnd and kEnd. Copy i of thread tid is
// element (tid/BK + (kThreads/BK)*i, tid%BK) of the tile: the thread decodes
// its one column per step and walks the rows, and neighbouring threads
// copy neighbouring columns.
template <class T, int BK, class V>
__device__ __forceinline__ void gather_k(float *s, const V &v, int mn0, int mnEnd, int k0, int kEnd)
{
	constexpr int RS = kThreads / BK;
	const int k = threadIdx.x % BK, r = threadIdx.x / BK;
	const typename V::Col c = v.col(k0 + k, kEnd);
	// Unrolled in fours: fully unrolled, the rows' table entries and
	// addresses crowd the registers and ptxas spills the accumulators.
#pragma unroll 4
	for (int i = 0; i < kTile / RS; ++i) {
		const int mn = r + RS * i;
		v.copy(s + T::at(mn, k), v.template src<false>(v.row(mn0 + mn, mnEnd), c));
	}
}


// out_offset returns where element (m, n) of a forward or data-gradient
// product lands in its output [N, M, P]: image n / P, channel m, position
// n % P (convmap.OutOffset).
__device__ __forceinline__ long long out_offset(int m, int n, int M, int P)
{
	const int img = n / P;
	return img * ((long long)M * P) + (long long)m * P + (n - img * P);
}

// gather_rows copies the weight gradient's left operand, dy [N, M, P] read
// as M rows of N*P columns (element (m, d) at OutOffset(m, d, M, P), the
// forward pass's output layout), into tile T as gather_k copies a view:
// rows [mn0, mnEnd), columns [k0, k0+BK), zeros past either end. Every
// element is inside dy, so a row needs no table and no bounds but its own,
// and a thread's rows are RS*P floats apart.
template <class T, int BK>
__device__ __forceinline__ void gather_rows(float *s, const float *dy, int M, int P, int mn0, int mnEnd, int k0,
					    int kEnd)
{
	constexpr int RS = kThreads / BK;
	const int k = threadIdx.x % BK, r = threadIdx.x / BK, d = k0 + k;
	const bool in = d < kEnd;
	const int n = in ? d / P : 0;
	const float *base = dy + n * ((long long)M * P) + (long long)(mn0 + r) * P + (d - n * P);
	// Unrolled in fours, as gather_k is.
#pragma unroll 4
	for (int i = 0; i < kTile / RS; ++i) {
		const bool inside = in && mn0 + r + RS * i < mnEnd;
		copy_or_zero(s + T::at(r + RS * i, k), inside ? base + (long long)RS * i * P : nullptr, dy);
	}
}
