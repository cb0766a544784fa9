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

// copy_or_zero starts copying the float at p into *dst when in is set,
// and writes a zero there otherwise: p may be named either way, and is
// read only when in is set, the copy's size being the predicate. (With a
// null p for a zero, choosing an address to name took four of a copy's
// dozen instructions.)
__device__ __forceinline__ void copy_or_zero(float *dst, const float *p, bool in) { cp_async4(dst, p, in ? 4 : 0); }

// element returns p + i, in one instruction (mad.wide) where ptxas, left
// to itself, widened and added the offset to the image's in four.
__device__ __forceinline__ const float *element(const float *p, int i)
{
#ifdef __CUDACC__
	const float *r;
	asm("mad.wide.s32 %0, %1, 4, %2;" : "=l"(r) : "r"(i), "l"(p));
	return r;
#else
	return p + i;
#endif
}

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
	// accumulators of the strided variants (sm_90, 256 threads a block).
	// The three every copy reads are kept (uh, uw, ld): read where used,
	// they were two loads of every copy's few instructions.
	const ViewHeader *__restrict__ hp;
	int uh, uw, ld;
	// The data gradient of a strided convolution divides coordinates by
	// the strides (DY, DX), with these (see quotient); unused, ptxas
	// drops them.
	unsigned dy, dx, my, mx;

	__device__ __forceinline__ View(const float *x, const int *words)
		: x(x), table(reinterpret_cast<const int4 *>(words + sizeof(ViewHeader) / sizeof(int))),
		  hp(reinterpret_cast<const ViewHeader *>(words)), uh(f(&ViewHeader::UH)), uw(f(&ViewHeader::UW)),
		  ld(f(&ViewHeader::LD)), dy(f(&ViewHeader::DY)), dx(f(&ViewHeader::DX)), my(magic(dy)), mx(magic(dx))
	{
	}

	// magic returns ceil(2^32 / d) for a divisor d above 1, and 0 for 1
	// (see quotient).
	static __device__ __forceinline__ unsigned magic(unsigned d) { return d > 1 ? 0xffffffffu / d + 1 : 0; }

	// quotient returns n / d for the d whose magic m is, where n*d < 2^32
	// (the device checks that every coordinate of the plane allows it):
	// the high word of n*m, exact because n*m/2^32 exceeds n/d by less
	// than n/2^32, less than 1/d. A division by a value known only at run
	// time is a loop of about twenty instructions, and the strided data
	// gradient divided twice in each of its copies.
	static __device__ __forceinline__ unsigned quotient(unsigned n, unsigned d, unsigned m)
	{
		return d > 1 ? __umulhi(n, m) : n;
	}

	// f reads a header field, say f(&ViewHeader::P).
	__device__ __forceinline__ int f(const int ViewHeader::*field) const { return __ldg(&(hp->*field)); }

	// Col is what a thread keeps of a decoded column d: its image, its
	// coordinates before a row's shift, and their offset in a plane
	// (y*LD + x). Past the view's last column, y is far outside every
	// view, so that every element of the column is a zero.
	struct Col {
		const float *img;
		int y, x, off;
	};

	__device__ __forceinline__ Col col(int d, int dEnd) const
	{
		Col c;
		const bool in = d < dEnd;
		if (!in)
			d = 0;
		const int P = f(&ViewHeader::P), PW = f(&ViewHeader::PW);
		const int n = d / P, p = d - n * P, y = p / PW;
		c.img = x + (long long)n * f(&ViewHeader::Image);
		c.y = y * f(&ViewHeader::SY) + f(&ViewHeader::OY);
		c.x = (p - y * PW) * f(&ViewHeader::SX) + f(&ViewHeader::OX);
		c.off = c.y * ld + c.x;
		if (!in)
			c.y = kFar;
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

	// Src is where an element of the view is: p, read only when in is
	// set (a zero otherwise, and p then c's image).
	struct Src {
		const float *p;
		bool in;
	};

	// src returns where the element of row e and column c is. DIV: the
	// coordinates must divide by (DY, DX).
	template <bool DIV>
	__device__ __forceinline__ Src src(int4 e, const Col &c) const
	{
		int u = c.y + e.y, v = c.x + e.z;
		bool in = inside(u, v);
		if (DIV) {
			const unsigned qu = quotient(u, dy, my), qv = quotient(v, dx, mx);
			in = in && qu * dy == unsigned(u) && qv * dx == unsigned(v);
			u = qu, v = qv;
		}
		// Inside an image, the offset is an int.
		return Src{element(c.img, in ? e.x + u * ld + v : 0), in};
	}

	// src returns where the element of row e and column c is, as the one
	// above, for a copy that shares its row with others (GatherMN's):
	// rowOff, the row's offset in a plane (rowOff(e)), is added to the
	// column's, one add where the coordinates took two.
	__device__ __forceinline__ Src src(int4 e, const Col &c, int rowOff) const
	{
		const bool in = inside(c.y + e.y, c.x + e.z);
		return Src{element(c.img, in ? c.off + rowOff : 0), in};
	}

	// inside reports whether coordinates (u, v) lie in the view's plane.
	__device__ __forceinline__ bool inside(int u, int v) const
	{
		// One unsigned comparison is both bounds.
		return (unsigned)u < (unsigned)uh && (unsigned)v < (unsigned)uw;
	}

	// rowOff returns row e's offset in a plane (see src). A row past the
	// view's last (View::row) has none: the sum wraps, unsigned, and src
	// does not use it.
	__device__ __forceinline__ int rowOff(int4 e) const
	{
		return int((unsigned)e.x + (unsigned)e.y * (unsigned)ld + (unsigned)e.z);
	}
};

// GatherMN copies a view whose columns run along the tile's MN side (the B
// operand of conv_data, k-major) into shared memory tile T. Copy (q, i) of
// a thread is element (lane + 32q, warp + kWarps*i) of the tile: its four
// columns stay the same for the whole product, so the thread decodes them
// once, and a warp's 32 lanes copy 32 neighbouring columns.
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
		for (int i = 0; i < BK / kWarps; ++i) {
			const int k = warp + kWarps * i;
			const int4 e = v.row(k0 + k, kEnd);
			const int off = v.rowOff(e);
#pragma unroll
			for (int q = 0; q < 4; ++q) {
				const View::Src x = DIV ? v.src<true>(e, col[q]) : v.src(e, col[q], off);
				copy_or_zero(s + T::at(lane + 32 * q, k), x.p, x.in);
			}
		}
	}
};

// gather_k copies a view whose columns run along k (conv_weight's image
// operand, k-contiguous) into shared memory tile T: rows [mn0, mnEnd) and
// columns [k0, k0+BK), zeros past mnEnd and kEnd. Copy i of thread tid is
// element (tid/BK + (kThreads/BK)*i, tid%BK) of the tile: the thread
// decodes its one column per step and walks the rows, and neighbouring
// threads copy neighbouring columns.
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
		const View::Src x = v.src<false>(v.row(mn0 + mn, mnEnd), c);
		copy_or_zero(s + T::at(mn, k), x.p, x.in);
	}
}

// ImageOut is the Out (gemm_core.cuh) of conv_data: element (m, n) of the
// product lands at image n / P, channel m, position n % P of C [N, M, P]
// (convmap.OutOffset), the sum of a row's part, m*P, and a column's, plus
// bias[m] unless bias is null, then through a ReLU if withReLU is set, and
// zero where mask, unless null, is not positive. C and the mask are
// stored in bfloat16 where Y16 and M16 are set (store_act, load_act):
// template arguments, so that an element's code has one storage's
// addresses, not both.
template <bool Y16, bool M16>
struct ImageOut {
	void *C;
	const float *bias;
	const void *mask;
	int M, N, P, withReLU;

	// Row is row m's offset and bias; off is -1 past M.
	struct Row {
		long long off;
		float bias;
	};
	// Col is column n's offset, or -1 past N.
	using Col = long long;

	__device__ __forceinline__ Row row(int m) const
	{
		return m < M ? Row{(long long)m * P, bias ? bias[m] : 0.0f} : Row{-1, 0.0f};
	}

	__device__ __forceinline__ Col col(int n) const
	{
		const int img = n / P;
		return n < N ? img * ((long long)M * P) + (n - img * P) : -1;
	}

	__device__ __forceinline__ void put(const Row &r, Col c, float v) const
	{
		if (r.off < 0 || c < 0)
			return;
		const long long at = r.off + c;
		const float out = bias ? v + r.bias : v;
		store_act(C, at, mask && !(load_act(mask, at, M16) > 0.0f) ? 0.0f : withReLU ? relu(out) : out, Y16);
	}
};

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
		copy_or_zero(s + T::at(r + RS * i, k), base + (long long)RS * i * P, inside);
	}
}
