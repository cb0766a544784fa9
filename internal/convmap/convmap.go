// Package convmap holds the index arithmetic of the implicit-GEMM
// convolution: how an image tensor is read as one operand of a matrix
// product without the column matrix of Im2col ever being written, and how
// the product's columns are scattered back into an image tensor.
//
// The CUDA kernels (kernels/conv.cu) compute exactly what View.At and
// OutOffset compute here, from the words View.Words lays out; this package
// is their model, tested on any machine against tensor.Im2col and
// tensor.Col2im. The CPU packs its operand with View.Gather, which is At
// a run of positions at a time.
//
// # The three products
//
// With images x [N, C, H, W], a weight w [O, C*KH*KW] and outputs y
// [N, O, OH, OW], P = OH*OW positions per output image:
//
//   - forward: y = w x X, with X = Forward's view of x: K = C*KH*KW rows
//     t = (c, kh, kw), N*P columns d = (n, oh, ow);
//   - data gradient: dx = w' x D, with w' the weight as [C, O*KH*KW] (k =
//     (o, kh, kw)) and D = DataGrad's view of dy: O*KH*KW rows, N*H*W
//     columns d = (n, h, w);
//   - weight gradient: dw += D x X^T, with D = dy read as O rows of N*P
//     columns (element (o, d) at OutOffset(o, d, O, P): no view, as
//     nothing is padding) and X as in the forward pass, walked along d.
//
// # A view
//
// Element (t, d) of a view reads one element of its tensor or is a zero of
// the padding. The column index d is decoded into an image n = d / P and a
// position p = d % P of y = p / PW, x = p % PW; the row index t looks up an
// Entry. Then
//
//	u = y*SY + OY + Entry.H,  v = x*SX + OX + Entry.W
//
// and the element is zero unless 0 <= u < UH and 0 <= v < UW (and, for the
// data gradient of a strided convolution, u and v are multiples of DY and
// DX); otherwise it lies at
//
//	n*Image + Entry.Off + (u/DY)*LD + v/DX.
//
// The split keeps what depends on d (decoded once per block and thread) and
// what depends on t (a table the host uploads once) apart: a kernel adds
// the two with a bounds check and no division, except the strided data
// gradient's.
package convmap

import (
	"fmt"
	"math"
)

// Window is a convolution's geometry, as tensor.Window holds it (which
// converts to it): kernel size, stride and zero padding, each as (height,
// width). This package cannot name tensor's type, as tensor uses it.
type Window struct {
	KH, KW, SH, SW, PH, PW int
}

// Out returns the output height and width for an h x w input, as PyTorch
// computes them (floor division), and 0 for a side the kernel does not
// fit, padding included. (n+2p-k)/s + 1 is written as one division:
// Go's rounds toward zero, and the usual form would make one output of a
// kernel up to a stride too big.
func (w Window) Out(h, wd int) (oh, ow int) {
	return max(0, (h+2*w.PH-w.KH+w.SH)/w.SH), max(0, (wd+2*w.PW-w.KW+w.SW)/w.SW)
}

// Entry is a row of a view: the offset of its plane and the shift its
// kernel offset gives to the row and column coordinates.
type Entry struct {
	Off, H, W int32
}

// View is an image tensor read as a matrix; see the package comment. A View
// is immutable once made and safe for concurrent use.
type View struct {
	P, PW          int32 // positions per image, and per row of positions
	Image          int32 // elements from one image to the next
	SY, OY, SX, OX int32 // position (y, x) to coordinates (y*SY+OY, x*SX+OX)
	UH, UW         int32 // coordinates are inside when in [0, UH) x [0, UW)
	LD             int32 // elements from one row of a plane to the next
	DY, DX         int32 // coordinates must divide by these, then are divided
	Table          []Entry
	// inside holds, for each row of Table, the positions whose
	// coordinates fall inside the plane (see Gather), worked out once
	// rather than with four divisions each time a row is gathered.
	inside []span
}

// span is where a row's coordinates lie inside the plane: columns x of a
// row of positions in [xlo, xhi), rows of positions y in [ylo, yhi).
type span struct{ xlo, xhi, ylo, yhi int32 }

// setInside fills v.inside from the finished table.
func (v *View) setInside() {
	v.inside = make([]span, len(v.Table))
	for t, e := range v.Table {
		xlo, xhi := insideOf(int(v.PW), int(v.UW), int(v.SX), int(v.OX+e.W))
		ylo, yhi := insideOf(int(v.P/v.PW), int(v.UH), int(v.SY), int(v.OY+e.H))
		v.inside[t] = span{int32(xlo), int32(xhi), int32(ylo), int32(yhi)}
	}
}

// HeaderWords is the length of the header Words writes before the table,
// and EntryWords the words of each table entry: kernels/conv.cu reads the
// header as its struct ViewHeader and the entries as int4.
const (
	HeaderWords = 16
	EntryWords  = 4
)

// Words lays the view out as the kernels read it: P, PW, Image, SY, OY, SX,
// OX, UH, UW, LD, DY, DX, four zeros, then Off, H, W, 0 for each row.
func (v *View) Words() []int32 {
	w := make([]int32, HeaderWords, HeaderWords+EntryWords*len(v.Table))
	copy(w, []int32{v.P, v.PW, v.Image, v.SY, v.OY, v.SX, v.OX, v.UH, v.UW, v.LD, v.DY, v.DX})
	for _, e := range v.Table {
		w = append(w, e.Off, e.H, e.W, 0)
	}
	return w
}

// Rows returns the number of rows t the view has.
func (v *View) Rows() int { return len(v.Table) }

// At returns the offset of element (t, d) in the view's tensor, or false
// for a zero of the padding. It is the model of the kernels' gather.
func (v *View) At(t, d int) (off int64, ok bool) {
	n, p := d/int(v.P), d%int(v.P)
	y, x := int32(p)/v.PW, int32(p)%v.PW
	e := v.Table[t]
	u, w := y*v.SY+v.OY+e.H, x*v.SX+v.OX+e.W
	if u < 0 || u >= v.UH || w < 0 || w >= v.UW || u%v.DY != 0 || w%v.DX != 0 {
		return 0, false
	}
	return int64(n)*int64(v.Image) + int64(e.Off) + int64(u/v.DY)*int64(v.LD) + int64(w/v.DX), true
}

// OutOffset returns where element (m, d) of a forward or data-gradient
// product lands in its output [N, M, ...] of p positions per image: image
// d / p, channel m, position d % p. The kernels' epilogue writes there,
// and the weight gradient reads dy from there (gather_rows).
func OutOffset(m, d, M, p int) int64 {
	return int64(d/p)*int64(M)*int64(p) + int64(m)*int64(p) + int64(d%p)
}

// Forward returns the view of images [N, c, h, w] that convolution win
// reads: row t = (ci, kh, kw) of K = c*KH*KW, column d = (n, oh, ow). It is
// Im2col's cols [N, K, OH*OW] with the images side by side.
func Forward(c, h, w int, win Window) *View {
	oh, ow := win.Out(h, w)
	v := &View{P: i32(oh * ow), PW: i32(ow), Image: i32(c * h * w),
		SY: i32(win.SH), OY: i32(-win.PH), SX: i32(win.SW), OX: i32(-win.PW),
		UH: i32(h), UW: i32(w), LD: i32(w), DY: 1, DX: 1}
	v.Table = make([]Entry, 0, c*win.KH*win.KW)
	for ci := range c {
		for kh := range win.KH {
			for kw := range win.KW {
				v.Table = append(v.Table, Entry{Off: i32(ci * h * w), H: i32(kh), W: i32(kw)})
			}
		}
	}
	v.setInside()
	return v
}

// DataGrad returns the view of output gradients dy [N, o, OH, OW] that the
// data gradient of convolution win over images of h x w multiplies: row t =
// (co, kh, kw), column d = (n, ih, iw), holding the dy element that Im2col
// pairs with pixel (ih, iw) at kernel offset (kh, kw), or zero where there
// is none. Pixel row ih meets output row oh at offset kh when ih + PH - kh
// = oh*SH, so u = ih + PH - kh must divide by SH.
func DataGrad(o, h, w int, win Window) *View {
	oh, ow := win.Out(h, w)
	v := &View{P: i32(h * w), PW: i32(w), Image: i32(o * oh * ow),
		SY: 1, OY: i32(win.PH), SX: 1, OX: i32(win.PW),
		UH: i32(oh * win.SH), UW: i32(ow * win.SW), LD: i32(ow), DY: i32(win.SH), DX: i32(win.SW)}
	v.Table = make([]Entry, 0, o*win.KH*win.KW)
	for co := range o {
		for kh := range win.KH {
			for kw := range win.KW {
				v.Table = append(v.Table, Entry{Off: i32(co * oh * ow), H: i32(-kh), W: i32(-kw)})
			}
		}
	}
	v.setInside()
	return v
}

// Strided reports whether the kernels must divide the view's coordinates
// (a data gradient of a strided convolution), which they do in a separate
// variant.
func (v *View) Strided() bool { return v.DY != 1 || v.DX != 1 }

// PermuteWeight writes a convolution's weight w [o, c*kk] (kk the
// kernel's area) into wt as [c, o*kk], the data gradient's left operand,
// whose k = (o, kh, kw) matches DataGrad's rows: the model of kernel
// conv_weight_t, and what the CPU multiplies.
func PermuteWeight(wt, w []float32, o, c, kk int) {
	for co := range o {
		for ci := range c {
			copy(wt[ci*o*kk+co*kk:][:kk], w[co*c*kk+ci*kk:][:kk])
		}
	}
}

// i32 converts a size the caller has checked to fit an int32.
func i32(n int) int32 {
	if n > math.MaxInt32 || n < math.MinInt32 {
		panic(fmt.Sprintf("convmap: %d does not fit the kernels' int", n))
	}
	return int32(n)
}
