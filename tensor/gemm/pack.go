package gemm

// packA copies rows [i0, i0+rows) and columns [p0, p0+kc) of op(A) into dst
// as one mr x kc micro-panel, column after column (dst[p*mr+i]), so the
// kernel reads A sequentially. Rows past rows are zero: the kernel always
// computes full tiles and the padding rows are discarded.
func packA(dst, a []float32, lda int, trans bool, i0, rows, p0, kc, mr int) {
	dst = dst[:kc*mr]
	if trans {
		// op(A)[i][p] = a[p*lda+i]: each column of the panel is contiguous.
		copyRows(dst, mr, a[p0*lda+i0:], lda, kc, rows, prefetchRows*lda)
		if rows < mr {
			for p := range kc {
				clear(dst[p*mr+rows : p*mr+mr])
			}
		}
		return
	}
	i := 0
	for ; i+4 <= rows; i += 4 {
		transpose4(dst[i:], mr, a[(i0+i)*lda+p0:], lda, kc)
	}
	for ; i < rows; i++ {
		row := a[(i0+i)*lda+p0 : (i0+i)*lda+p0+kc]
		for p, v := range row {
			dst[p*mr+i] = v
		}
	}
	for i := rows; i < mr; i++ {
		for p := range kc {
			dst[p*mr+i] = 0
		}
	}
}

// packB copies rows [p0, p0+kc) and columns [j0, j0+cols) of op(B) into dst
// as ceil(cols/nr) kc x nr micro-panels, each row after row, ps apart
// (dst[panel*ps + p*nr + j]): panelStride(kc, nr), or that of a deeper
// panel whose rows are packed a few at a time. Columns past cols are zero.
// nr is a multiple of 4.
func packB(dst, b []float32, ldb int, trans bool, p0, kc, j0, cols, nr, ps int) {
	full := cols / nr * nr
	if trans {
		// op(B)[p][j] = b[j*ldb+p]: each column of a panel is contiguous.
		j := 0
		for ; j+16 <= cols && nr%16 == 0; j += 16 {
			transpose16(dst[j/nr*ps+j%nr:], nr, b[(j0+j)*ldb+p0:], ldb, kc)
		}
		for ; j+4 <= cols; j += 4 {
			transpose4(dst[j/nr*ps+j%nr:], nr, b[(j0+j)*ldb+p0:], ldb, kc)
		}
		for ; j < cols; j++ {
			panel := dst[j/nr*ps:]
			src := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kc]
			for p, v := range src {
				panel[p*nr+j%nr] = v
			}
		}
		if full < cols {
			panel := dst[full/nr*ps : full/nr*ps+kc*nr]
			for p := range kc {
				clear(panel[p*nr+cols-full : p*nr+nr])
			}
		}
		return
	}
	// Walk B row by row, so its reads are sequential and each page is
	// visited once, dealing every row out to the panels.
	for p := range kc {
		src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+cols]
		copyRows(dst[p*nr:], ps, src, nr, full/nr, nr, prefetchRows*ldb)
		if full < cols {
			row := dst[full/nr*ps+p*nr : full/nr*ps+p*nr+nr]
			copy(row, src[full:])
			clear(row[cols-full:])
		}
	}
}

// panelPad is the floats between the end of one packed B panel and the
// start of the next. Without it panels of kc x nr floats lie a multiple of
// 4 KiB apart (kc = 256, nr = 32: 32 KiB), and packB's writes, a row of
// each panel in turn, all fall in one of L1's sets and a few of L2's;
// with it each panel starts a cache line further round the sets. Measured
// on Zen 4, packing a 256 x 2048 slice of conv3 b128's B: 5.8 billion
// floats a second without, 7.3 with.
const panelPad = 16

// panelStride returns the floats from one packed B panel of depth kc to
// the next.
func panelStride(kc, nr int) int { return kc*nr + panelPad }

// prefetchRows is how many rows ahead of the one it copies packing asks
// for the source: a B too big for L3 streams from memory, and a row or two
// of copying does not hide its latency.
const prefetchRows = 4

// prefetchL2 asks for rows rows of w floats, lds apart from src, to be
// brought into L2, where the CPU has a prefetch instruction Go can reach
// (the assembly version replaces it); Go has none, so here it does
// nothing. src need not hold them all: a prefetch never faults.
var prefetchL2 = func(src []float32, lds, rows, w int) {}

// copyRows sets dst[r*ldd+j] = src[r*lds+j] for r < rows and j < w. The
// assembly version, which replaces it where the CPU has one, also
// prefetches the source ahead floats past each piece it reads; Go has no
// prefetch, so here ahead is unused.
var copyRows = copyRowsGo

func copyRowsGo(dst []float32, ldd int, src []float32, lds, rows, w, ahead int) {
	for r := range rows {
		copy(dst[r*ldd:r*ldd+w], src[r*lds:r*lds+w])
	}
}

// transpose16 sets dst[p*ldd+i] = src[i*lds+p] for i < 16 and p < n. The
// assembly version, which replaces it where the CPU has one, writes each
// run of sixteen with one store; here it is four transpose4s.
var transpose16 = func(dst []float32, ldd int, src []float32, lds, n int) {
	for i := 0; i < 16; i += 4 {
		transpose4(dst[i:], ldd, src[i*lds:], lds, n)
	}
}

// transpose4 sets dst[p*ldd+i] = src[i*lds+p] for i < 4 and p < n: four
// rows of src become n runs of four in dst. The assembly version replaces
// it where the CPU has one.
var transpose4 = transpose4Go

func transpose4Go(dst []float32, ldd int, src []float32, lds, n int) {
	r0, r1, r2, r3 := src[:n], src[lds:lds+n], src[2*lds:2*lds+n], src[3*lds:3*lds+n]
	for p := range r0 {
		d := dst[p*ldd : p*ldd+4]
		d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
	}
}
