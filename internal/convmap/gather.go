package convmap

import (
	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/internal/rows"
)

// Gather writes rows [t0, t0+rows) of the view, positions [p0, p0+n) of one
// image whose elements start at src[0], into dst: row t0+r at dst[r*ld:],
// a zero wherever At says padding. It is At a run of positions at a time,
// as the CPU's implicit GEMM packs its operand: a run of positions that
// reads consecutive elements is one copy.
func (v *View) Gather(dst []float32, ld int, src []float32, t0, rows, p0, n int) {
	gather(v, dst, ld, src, t0, rows, p0, n)
}

// GatherBF16 is Gather of an image stored in bfloat16: each element is
// widened to the float32 it stands for.
func (v *View) GatherBF16(dst []float32, ld int, src []uint16, t0, rows, p0, n int) {
	gather(v, dst, ld, src, t0, rows, p0, n)
}

// elem is the element type of an image a view reads: float32, or bfloat16
// bits.
type elem interface{ float32 | uint16 }

// GatherImages is Gather of whole images side by side: rows [t0, t0+rows)
// of all positions of each of images images, v.Image elements apart from
// src[0], image i's positions of row t0+r at dst[r*ld+i*P:]. Over a small
// map (ResNet's 3x3 holds 9 positions), what a row's gather works out
// once serves every image.
func (v *View) GatherImages(dst []float32, ld int, src []float32, t0, rows, images int) {
	gatherImages(v, dst, ld, src, t0, rows, images)
}

// GatherImagesBF16 is GatherImages of images stored in bfloat16.
func (v *View) GatherImagesBF16(dst []float32, ld int, src []uint16, t0, rows, images int) {
	gatherImages(v, dst, ld, src, t0, rows, images)
}

func gather[E elem](v *View, dst []float32, ld int, src []E, t0, rows, p0, n int) {
	for r := range rows {
		gatherRow(v, dst[r*ld:][:n], src, t0+r, p0)
	}
}

func gatherImages[E elem](v *View, dst []float32, ld int, src []E, t0, rows, images int) {
	p := int(v.P)
	if !v.shifted() {
		for i := range images {
			gather(v, dst[i*p:], ld, src[i*int(v.Image):], t0, rows, 0, p)
		}
		return
	}
	for r := range rows {
		shiftedRow(v, dst[r*ld:][:images*p], src, t0+r, 0, p, images)
	}
}

// shifted reports whether position p of a row reads element p of the
// plane shifted by a fixed offset: unit strides, and rows of positions as
// long as the plane's (a stride-1 convolution with "same" padding).
func (v *View) shifted() bool {
	return v.SY == 1 && v.SX == 1 && v.DY == 1 && v.DX == 1 && v.LD == v.PW
}

// shiftedRow writes row t of a shifted view at positions [p0, p0+n) of
// each of images images, v.Image elements apart in src, image i's at
// out[i*n:]. Each takes one copy from the first position inside the plane
// to the last, then zeroes the padding around and between.
func shiftedRow[E elem](v *View, out []float32, src []E, t, p0, n, images int) {
	e, sp := v.Table[t], v.inside[t]
	pw, image := int(v.PW), int(v.Image)
	xlo, xhi := int(sp.xlo), int(sp.xhi)
	first, last := max(p0, int(sp.ylo)*pw+xlo), min(p0+n, (int(sp.yhi)-1)*pw+xhi)
	if xlo >= xhi || first >= last {
		clear(out[:images*n])
		return
	}
	at := int(e.Off) + int(v.OY+e.H)*pw + int(v.OX+e.W) // position p reads src[at+p]
	gap, gapAt := pw-(xhi-xlo), (first/pw-1)*pw+xhi-first
	for i := range images {
		o := out[i*n:][:n]
		from := i*image + at
		widen(o[first-p0:last-p0], src[from+first:from+last])
		clear(o[:first-p0])
		clear(o[last-p0:])
		if gap > 0 {
			zeroGaps(o[first-p0:last-p0], gapAt, pw, gap)
		}
	}
}

// zeroGaps zeroes out's elements [s, s+gap), [s+pw, s+pw+gap), ...: the
// padding between rows of positions, a few elements each, where a clear
// call per gap costs more. s may be negative: the gaps before out's start
// are cut there.
func zeroGaps(out []float32, s, pw, gap int) {
	for ; s < 0; s += pw {
		if s+gap > 0 {
			clear(out[:min(s+gap, len(out))])
		}
	}
	for ; s+gap <= len(out); s += pw {
		for i := range out[s : s+gap] {
			out[s+i] = 0
		}
	}
	if s < len(out) {
		clear(out[s:])
	}
}

// widen sets dst[i] = src[i], widened to float32. The loops call it a
// run of elements at a time, so that its type switch is made once a run,
// not once an element.
func widen[E elem](dst []float32, src []E) {
	switch s := any(src).(type) {
	case []float32:
		copy(dst, s)
	case []uint16:
		bf16.WidenSlice(dst, s[:len(dst)])
	}
}

// widenRows is rows.Copy of rows widened to float32.
func widenRows[E elem](dst []float32, ldd int, src []E, lds, n, w int) {
	switch s := any(src).(type) {
	case []float32:
		rows.Copy(dst, ldd, s, lds, n, w)
	case []uint16:
		for r := range n {
			bf16.WidenSlice(dst[r*ldd:][:w], s[r*lds:][:w])
		}
	}
}

// widenStrided sets dst[i] = src[start+i*stride], widened to float32.
func widenStrided[E elem](dst []float32, src []E, start, stride int) {
	switch s := any(src).(type) {
	case []float32:
		rows.Strided(dst, s[start:], stride)
	case []uint16:
		for i := range dst {
			dst[i] = bf16.Widen(s[start])
			start += stride
		}
	}
}

// gatherRow writes the view's row t at positions [p0, p0+len(out)).
func gatherRow[E elem](v *View, out []float32, src []E, t, p0 int) {
	if v.shifted() {
		shiftedRow(v, out, src, t, p0, len(out), 1)
		return
	}
	e, sp := v.Table[t], v.inside[t]
	pw, ld := int(v.PW), int(v.LD)
	oy, ox := int(v.OY+e.H), int(v.OX+e.W)
	sy, sx, dy, dx := int(v.SY), int(v.SX), int(v.DY), int(v.DX)
	xlo, xhi := int(sp.xlo), int(sp.xhi)
	// Row by row of positions: y and x move on without dividing, and a
	// stride of 1 (all but a strided data gradient) divides nothing. Where
	// the view moves one element a position, whole rows of positions
	// inside the plane take one row copy together, as im2col's do: a
	// valid convolution's rows are a few elements long (LeNet's 10), too
	// short for a copy each.
	y, x := p0/pw, p0%pw
	unit := sx == 1 && dx == 1 && dy == 1 && xlo < xhi
	ylo, yhi := int(sp.ylo), int(sp.yhi)
	for rest := out; len(rest) > 0; y, x = y+1, 0 {
		if unit && x == 0 && len(rest) >= 2*pw && y >= ylo && y+1 < yhi {
			n := min(len(rest)/pw, yhi-y)
			widenRows(rest[xlo:], pw, src[int(e.Off)+(y*sy+oy)*ld+xlo+ox:], sy*ld, n, xhi-xlo)
			for r := range n {
				// The padding at the rows' ends: a few elements.
				row := rest[r*pw:][:pw]
				for i := 0; i < xlo; i++ {
					row[i] = 0
				}
				for i := xhi; i < pw; i++ {
					row[i] = 0
				}
			}
			rest = rest[n*pw:]
			y += n - 1
			continue
		}
		seg := rest[:min(pw-x, len(rest))]
		rest = rest[len(seg):]
		u := y*sy + oy
		if u < 0 || u >= int(v.UH) || xlo >= xhi {
			clear(seg)
			continue
		}
		if dy != 1 {
			if u%dy != 0 {
				clear(seg)
				continue
			}
			u /= dy
		}
		row := src[int(e.Off)+u*ld:]
		if dx == 1 {
			// The positions inside read every sx-th element of the row.
			lo, hi := min(max(xlo-x, 0), len(seg)), max(min(xhi-x, len(seg)), 0)
			if lo >= hi {
				clear(seg)
				continue
			}
			clear(seg[:lo])
			clear(seg[hi:])
			w := (x+lo)*sx + ox
			if sx == 1 {
				widen(seg[lo:hi], row[w:])
				continue
			}
			widenStrided(seg[lo:hi], row, w, sx)
			continue
		}
		for i := range seg {
			w := (x+i)*sx + ox
			seg[i] = 0
			if w >= 0 && w < int(v.UW) && w%dx == 0 {
				widen(seg[i:i+1], row[w/dx:])
			}
		}
	}
}

// insideOf returns the positions [lo, hi) of [0, n) whose coordinate q*s+o
// lies in [0, size), for s >= 1.
func insideOf(n, size, s, o int) (lo, hi int) {
	lo = min(n, max(0, ceilDiv(-o, s)))
	hi = max(lo, min(n, ceilDiv(size-o, s)))
	return lo, hi
}

// ceilDiv rounds a/b up for b > 0 and any a.
func ceilDiv(a, b int) int {
	if a <= 0 {
		return -(-a / b)
	}
	return (a + b - 1) / b
}
