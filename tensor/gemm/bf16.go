package gemm

import "math"

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

// toBF16 rounds f to bfloat16 to nearest, ties to even: NaNs stay NaNs
// (quiet), and denormals, which the products treat as zero, become zero.
func toBF16(f float32) uint16 {
	b := math.Float32bits(f)
	switch exp := b >> 23 & 0xff; {
	case exp == 0xff && b&0x7fffff != 0:
		return uint16(b>>16) | 0x40
	case exp == 0:
		return uint16(b >> 16 & 0x8000)
	}
	b += 0x7fff + (b >> 16 & 1)
	return uint16(b >> 16)
}

// fromBF16 widens a bfloat16 value to float32, exactly.
func fromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// pairBF16 packs x (even step) and y (odd step) into one 32-bit lane, as
// float32 bits so that packed panels share the FP32 buffers.
func pairBF16(x, y float32) float32 {
	return math.Float32frombits(uint32(toBF16(x)) | uint32(toBF16(y))<<16)
}

// pairsOf returns how many pairs of k steps a panel of depth kc holds.
func pairsOf(kc int) int { return (kc + 1) / 2 }

// pairRows sets, for each of panels panels of nr columns, panel p at
// dst[p*ps:]: dst[j] = the pair (src0[j], src1[j]) of the panel's
// columns, src0 and src1 moving on by nr a panel: two rows of B (or of a
// transposed A) as a row of pairs. The assembly version replaces it where
// the CPU has AVX512_BF16; both round as toBF16 does.
var pairRows = func(dst []float32, ps int, src0, src1 []float32, panels, nr int) {
	for p := range panels {
		d, s0, s1 := dst[p*ps:p*ps+nr], src0[p*nr:p*nr+nr], src1[p*nr:p*nr+nr]
		for j := range d {
			d[j] = pairBF16(s0[j], s1[j])
		}
	}
}

// pairs sets dst[q] = the pair (src[2q], src[2q+1]) for q < n: a row of A
// (or of a transposed B) along K, whose consecutive steps are the pairs'
// halves. The assembly version replaces it where the CPU has AVX512_BF16.
var pairs = func(dst, src []float32, n int) {
	for q := range n {
		dst[q] = pairBF16(src[2*q], src[2*q+1])
	}
}

// zeros is a row of zeros: the odd step of the last pair of an odd K.
var zeros = make([]float32, ncMax)

// pairsScratch is the length of the packing's scratch: sixteen rows of a
// panel's pairs.
const pairsScratch = 16 * pairsMax

// packABF16 packs rows [i0, i0+rows) and columns [p0, p0+kc) of op(A) as
// packA does, but as pairs of bfloat16: dst[q*mr+i] holds op(A)[i][2q] and
// [2q+1]. A missing odd step (kc odd) and rows past rows are zero. buf is
// scratch of pairsScratch floats; the caller's, as one on the stack would
// escape through the function variables.
func packABF16(dst, buf, a []float32, lda int, trans bool, i0, rows, p0, kc, mr int) {
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
	// Each row of A is a row of pairs; four rows at a time are turned
	// into the panel's columns, as packA does for floats.
	full := kc / 2
	i := 0
	for ; i < rows; i += 4 {
		n := min(4, rows-i)
		for r := range n {
			row := buf[r*kp : r*kp+kp]
			src := a[(i0+i+r)*lda+p0:]
			pairs(row, src, full)
			if full < kp {
				row[full] = pairBF16(src[kc-1], 0)
			}
		}
		clear(buf[n*kp : 4*kp])
		transpose4(dst[i:], mr, buf, kp, kp)
	}
	for q := range kp {
		clear(dst[q*mr+rows : q*mr+mr])
	}
}

// pairsMax is the most pairs a packed panel holds.
const pairsMax = (kcMax + 1) / 2

// packBBF16 packs rows [p0, p0+kc) and columns [j0, j0+cols) of op(B) as
// packB does, but as pairs of bfloat16 in panels of pairsOf(kc) rows:
// dst[panel*panelStride(pairsOf(kc), nr) + q*nr + j] holds op(B)[2q][j]
// and [2q+1][j]. Missing steps and columns are zero. buf is scratch, as
// for packABF16.
func packBBF16(dst, buf, b []float32, ldb int, trans bool, p0, kc, j0, cols, nr int) {
	kp := pairsOf(kc)
	ps := panelStride(kp, nr)
	full := cols / nr * nr
	if trans {
		// op(B)[p][j] = b[j*ldb+p]: each row of b is a column of pairs;
		// sixteen at a time are turned into the panels' rows.
		for j := 0; j < cols; j += 16 {
			n := min(16, cols-j)
			for r := range n {
				row := buf[r*kp : r*kp+kp]
				src := b[(j0+j+r)*ldb+p0:]
				pairs(row, src, kc/2)
				if kc%2 != 0 {
					row[kp-1] = pairBF16(src[kc-1], 0)
				}
			}
			if n == 16 && nr%16 == 0 {
				transpose16(dst[j/nr*ps+j%nr:], nr, buf, kp, kp)
				continue
			}
			// Narrow panels, or the last columns: each column to its
			// own panel.
			for r := range n {
				col := dst[(j+r)/nr*ps+(j+r)%nr:]
				for q := range kp {
					col[q*nr] = buf[r*kp+q]
				}
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
				d := dst[full/nr*ps+q*nr:][:nr]
				for j := full; j < cols; j++ {
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
		return fromBF16(h & 0x8000)
	}
	return fromBF16(h)
}

// ftz returns f, or zero of its sign when f is denormal.
func ftz(f float32) float32 {
	if b := math.Float32bits(f); b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return f
}
