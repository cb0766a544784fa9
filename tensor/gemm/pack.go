package gemm

// packA copies rows [i0, i0+rows) and columns [p0, p0+kc) of op(A) into dst
// as one mr x kc micro-panel, column after column (dst[p*mr+i]), so the
// kernel reads A sequentially. Rows past rows are zero: the kernel always
// computes full tiles and the padding rows are discarded.
func packA(dst, a []float32, lda int, trans bool, i0, rows, p0, kc, mr int) {
	dst = dst[:kc*mr]
	if trans {
		// op(A)[i][p] = a[p*lda+i]: each column of the panel is contiguous.
		for p := range kc {
			col := dst[p*mr : p*mr+mr]
			copy(col, a[(p0+p)*lda+i0:(p0+p)*lda+i0+rows])
			clear(col[rows:])
		}
		return
	}
	for i := range rows {
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
// as ceil(cols/nr) kc x nr micro-panels, each row after row
// (dst[panel*kc*nr + p*nr + j]). Columns past cols are zero.
func packB(dst, b []float32, ldb int, trans bool, p0, kc, j0, cols, nr int) {
	for jp := 0; jp < cols; jp += nr {
		w := min(nr, cols-jp)
		panel := dst[jp*kc : jp*kc+kc*nr]
		if trans {
			// op(B)[p][j] = b[j*ldb+p]: the panel's columns are contiguous.
			for j := range w {
				src := b[(j0+jp+j)*ldb+p0 : (j0+jp+j)*ldb+p0+kc]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
			if w < nr {
				for p := range kc {
					clear(panel[p*nr+w : p*nr+nr])
				}
			}
			continue
		}
		for p := range kc {
			row := panel[p*nr : p*nr+nr]
			copy(row, b[(p0+p)*ldb+j0+jp:(p0+p)*ldb+j0+jp+w])
			clear(row[w:])
		}
	}
}
