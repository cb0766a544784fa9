package gemm

import (
	"math"
	"unsafe"

	"github.com/tensorforge/tensorforge/internal/bf16"
)

// BF16 products. SgemmBF16 rounds A and B to bfloat16 (float32's upper
// half: 8 bits of significand) while packing them, and the kernels multiply
// pairs of them with AVX512_BF16's VDPBF16PS, which does twice the
// multiply-adds of an FP32 FMA: each 32-bit lane of a panel holds two
// consecutive k steps, the lower half the even step, and
//
//	acc = acc + a[2q+1]*b[2q+1], then acc = acc + a[2q]*b[2q]
//
// in float32 with one rounding (to nearest even) each. A product of two
// bfloat16 values is exact in float32, so those are the only roundings;
// denormal inputs count as zero and denormal sums become zero, as the
// instruction does. The pure-Go kernel follows the same steps, so every
// kernel gives the same bits.

// pairBF16 packs x (even step) and y (odd step) into one 32-bit lane, as
// float32 bits so that packed panels share the FP32 buffers.
func pairBF16(x, y float32) float32 {
	return math.Float32frombits(uint32(bf16.Round(x)) | uint32(bf16.Round(y))<<16)
}

// pairsOf returns how many pairs of k steps a panel of depth kc holds.
func pairsOf(kc int) int { return (kc + 1) / 2 }

// pairRows sets, for each of panels panels of nr columns, panel p at
// dst[p*ps:]: dst[j] = the pair (src0[j], src1[j]) of the panel's
// columns, src0 and src1 moving on by nr a panel: two rows of B (or of a
// transposed A) as a row of pairs. The assembly version replaces it where
// the CPU has AVX512_BF16; both round as bf16.Round does.
var pairRows = func(dst []float32, ps int, src0, src1 []float32, panels, nr int) {
	for p := range panels {
		d, s0, s1 := dst[p*ps:p*ps+nr], src0[p*nr:p*nr+nr], src1[p*nr:p*nr+nr]
		for j := range d {
			d[j] = pairBF16(s0[j], s1[j])
		}
	}
}

// pairs16 and pairs4 set dst[q*ldd+i] = the pair (src[i*lds+2q],
// src[i*lds+2q+1]) for rows i < 16 (or 4) and pairs q < n: rows of A (or
// of a transposed B) along K, their consecutive steps the pairs' halves,
// turned into the columns of a panel. The assembly versions replace them
// where the CPU has AVX512_BF16.
var (
	pairs16 = func(dst []float32, ldd int, src []float32, lds, n int) { pairsGo(dst, ldd, src, lds, 16, n) }
	pairs4  = func(dst []float32, ldd int, src []float32, lds, n int) { pairsGo(dst, ldd, src, lds, 4, n) }
)

// pairsGo is the pair transpose of rows rows.
func pairsGo(dst []float32, ldd int, src []float32, lds, rows, n int) {
	for i := range rows {
		row := src[i*lds : i*lds+2*n]
		for q := range n {
			dst[q*ldd+i] = pairBF16(row[2*q], row[2*q+1])
		}
	}
}

// zeros is a row of zeros: the odd step of the last pair of an odd K.
var zeros = make([]float32, ncMax)

// packABF16 packs rows [i0, i0+rows) and columns [p0, p0+kc) of op(A) as
// packA does, but as pairs of bfloat16: dst[q*mr+i] holds op(A)[i][2q] and
// [2q+1]. A missing odd step (kc odd) and rows past rows are zero.
func packABF16(dst, a []float32, lda int, trans bool, i0, rows, p0, kc, mr int) {
	kp := pairsOf(kc)
	dst = dst[:kp*mr]
	if trans {
		// op(A)[i][p] = a[p*lda+i]: two rows of a hold a step pair for
		// every row of the panel.
		for q := range kp {
			r0 := a[(p0+2*q)*lda+i0:][:rows]
			r1 := zeros[:rows]
			if 2*q+1 < kc {
				r1 = a[(p0+2*q+1)*lda+i0:][:rows]
			}
			d := dst[q*mr : q*mr+mr]
			for i := range rows {
				d[i] = pairBF16(r0[i], r1[i])
			}
			clear(d[rows:])
		}
		return
	}
	// Each row of A is a row of pairs, four rows at a time turned into
	// the panel's columns, as packA does for floats.
	full := kc / 2
	i := 0
	for ; i+4 <= rows; i += 4 {
		pairs4(dst[i:], mr, a[(i0+i)*lda+p0:], lda, full)
	}
	if i < rows {
		pairsGo(dst[i:], mr, a[(i0+i)*lda+p0:], lda, rows-i, full)
	}
	if full < kp {
		for i := range rows {
			dst[full*mr+i] = pairBF16(a[(i0+i)*lda+p0+kc-1], 0)
		}
	}
	for q := range kp {
		clear(dst[q*mr+rows : q*mr+mr])
	}
}

// roundRowsA rounds rows [i0, i0+rows) and steps [p0, p0+kc) of an A
// that is not transposed to bfloat16 and keeps them as rows, ldd floats
// apart: dst[i*ldd+q] holds A[i0+i][p0+2q] and [p0+2q+1] (a missing odd
// step zero), the lower half the even step, which is where a row of
// bfloat16 values in order puts them. The kernels read such rows through
// a row stride, as they read an FP32 A in place, so no transpose into a
// panel's columns is needed: one rounding pass a row. Measured on Zen 4,
// conv3 b1 (M 384, K 2304) at one thread: pairing A into panels took 11%
// of the product.
//
// Pairs past K's, up to ldd, are zero.
func roundRowsA(dst []float32, ldd int, a []float32, lda, i0, rows, p0, kc int) {
	for i := range rows {
		h := unsafe.Slice((*uint16)(unsafe.Pointer(&dst[i*ldd])), 2*ldd)
		bf16.RoundSlice(h, a[(i0+i)*lda+p0:][:kc])
		clear(h[kc:])
	}
}

// packARowsBF16 writes rows [i0, i0+rows) and steps [p0, p0+kc) of op(A)
// as roundRowsA does, rows of pairs ldd floats apart, from an A that may
// be transposed: the layout of the kernels that read A by rows (aRows).
func packARowsBF16(dst []float32, ldd int, a []float32, lda int, trans bool, i0, rows, p0, kc int) {
	if !trans {
		roundRowsA(dst, ldd, a, lda, i0, rows, p0, kc)
		return
	}
	// op(A)[i][p] = a[p*lda+i]: a row of the panel is a column of a.
	for i := range rows {
		d := dst[i*ldd : i*ldd+ldd]
		col := a[p0*lda+i0+i:]
		q := 0
		for ; 2*q+1 < kc; q++ {
			d[q] = pairBF16(col[2*q*lda], col[(2*q+1)*lda])
		}
		if 2*q < kc {
			d[q] = pairBF16(col[2*q*lda], 0)
			q++
		}
		clear(d[q:])
	}
}

// packBBF16 packs rows [p0, p0+kc) and columns [j0, j0+cols) of op(B) as
// packB does, but as pairs of bfloat16 in panels of pairsOf(kc) rows, ps
// apart (panelStride(pairsOf(kc), nr) or a deeper panel's): dst[panel*ps +
// q*nr + j] holds op(B)[2q][j] and [2q+1][j]. Missing steps and columns
// are zero.
func packBBF16(dst, b []float32, ldb int, trans bool, p0, kc, j0, cols, nr, ps int) {
	kp := pairsOf(kc)
	full := cols / nr * nr
	if trans {
		// op(B)[p][j] = b[j*ldb+p]: each row of b is a column of pairs,
		// sixteen or four at a time turned into the panels' rows.
		steps := kc / 2
		j := 0
		for ; j+16 <= cols && nr%16 == 0; j += 16 {
			pairs16(dst[j/nr*ps+j%nr:], nr, b[(j0+j)*ldb+p0:], ldb, steps)
		}
		for ; j+4 <= cols; j += 4 {
			pairs4(dst[j/nr*ps+j%nr:], nr, b[(j0+j)*ldb+p0:], ldb, steps)
		}
		for ; j < cols; j++ {
			pairsGo(dst[j/nr*ps+j%nr:], nr, b[(j0+j)*ldb+p0:], ldb, 1, steps)
		}
		if steps < kp {
			for j := range cols {
				dst[j/nr*ps+steps*nr+j%nr] = pairBF16(b[(j0+j)*ldb+p0+kc-1], 0)
			}
		}
	} else {
		for q := range kp {
			r0 := b[(p0+2*q)*ldb+j0:][:cols]
			r1 := zeros[:cols]
			if 2*q+1 < kc {
				r1 = b[(p0+2*q+1)*ldb+j0:][:cols]
			}
			pairRows(dst[q*nr:], ps, r0, r1, full/nr, nr)
			if full < cols {
				// The partial panel, its whole groups of 16 columns a
				// vector at a time: AlexNet's conv3-5 at batch 1 have
				// 144 columns, and pairing their last 16 one by one took
				// three quarters of the packing (Zen 4).
				d := dst[full/nr*ps+q*nr:][:nr]
				j := full
				if v := (cols - full) &^ 15; v > 0 {
					pairRows(d, 0, r0[full:], r1[full:], 1, v)
					j += v
				}
				for ; j < cols; j++ {
					d[j-full] = pairBF16(r0[j], r1[j])
				}
			}
		}
	}
	if full < cols {
		last := dst[full/nr*ps:]
		for q := range kp {
			clear(last[q*nr+cols-full : q*nr+nr])
		}
	}
}

// dotBF16 adds the pair products of lanes a and b to acc as VDPBF16PS
// does: the odd steps' product first, then the even's, each a float32 sum
// rounded to nearest even, denormal inputs as zero and a denormal sum as
// zero.
func dotBF16(acc, a, b float32) float32 {
	x, y := math.Float32bits(a), math.Float32bits(b)
	acc = ftz(acc + daz(uint16(x>>16))*daz(uint16(y>>16)))
	return ftz(acc + daz(uint16(x))*daz(uint16(y)))
}

// daz widens h, a denormal as zero.
func daz(h uint16) float32 {
	if h&0x7f80 == 0 {
		return bf16.Widen(h & 0x8000)
	}
	return bf16.Widen(h)
}

// ftz returns f, or zero of its sign when f is denormal.
func ftz(f float32) float32 {
	if b := math.Float32bits(f); b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return f
}
