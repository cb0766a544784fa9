package tensor

import "github.com/tensorforge/tensorforge/internal/rows"

// convArgs carries one Im2col or Col2im call to the plane loops; each
// (image, channel) plane of x owns rows [c*KH*KW, (c+1)*KH*KW) of its
// image's columns, so planes are independent units of work.
type convArgs struct {
	x, cols    []float32
	h, w       int
	oh, ow     int
	win        Window
	planeInner int // KH*KW*OH*OW: the columns one plane owns
}

func newConvArgs(x, cols *Tensor, win Window) convArgs {
	h, w := x.shape[2], x.shape[3]
	oh, ow := win.Out(h, w)
	return convArgs{x: f32(x), cols: f32(cols), h: h, w: w, oh: oh, ow: ow, win: win, planeInner: win.KH * win.KW * oh * ow}
}

// validOut returns the outputs [lo, hi) of a window row or column whose input
// position o*s-p+k lies inside [0, in); the others read the zero padding.
func validOut(out, in, k, s, p int) (lo, hi int) {
	lo = min(out, max(0, ceilDiv(p-k, s)))
	hi = max(lo, min(out, ceilDiv(in+p-k, s)))
	return lo, hi
}

// ceilDiv rounds a/b up for b > 0 and any a.
func ceilDiv(a, b int) int {
	if a <= 0 {
		return -(-a / b)
	}
	return (a + b - 1) / b
}

var im2colLoop = newLoop(func(a *convArgs, lo, hi int) {
	p := a.oh * a.ow
	for plane := lo; plane < hi; plane++ {
		x := a.x[plane*a.h*a.w : (plane+1)*a.h*a.w]
		cols := a.cols[plane*a.planeInner : (plane+1)*a.planeInner]
		for kh := range a.win.KH {
			hlo, hhi := validOut(a.oh, a.h, kh, a.win.SH, a.win.PH)
			for kw := range a.win.KW {
				wlo, whi := validOut(a.ow, a.w, kw, a.win.SW, a.win.PW)
				row := cols[(kh*a.win.KW+kw)*p:][:p]
				if hlo == hhi || wlo == whi {
					clear(row)
					continue
				}
				if a.shifted() {
					// Output (oh, ow) reads x[oh*w+ow+off]: copy from the
					// first valid output to the last in one piece, then zero
					// what lies outside, the padding at each row's ends.
					off := (kh-a.win.PH)*a.w + kw - a.win.PW
					first, last := hlo*a.ow+wlo, (hhi-1)*a.ow+whi
					copy(row[first:last], x[first+off:last+off])
					clear(row[:first])
					clear(row[last:])
					for oh := hlo; oh < hhi-1; oh++ {
						// A few floats: a memclr call per gap costs more.
						for gap := row[oh*a.ow+whi : (oh+1)*a.ow+wlo]; len(gap) > 0; gap = gap[1:] {
							gap[0] = 0
						}
					}
					continue
				}
				clear(row[:hlo*a.ow])
				clear(row[hhi*a.ow:])
				iw := wlo*a.win.SW - a.win.PW + kw
				if a.win.SW == 1 {
					// Output rows [hlo, hhi) read input rows SH apart.
					ih := hlo*a.win.SH - a.win.PH + kh
					rows.Copy(row[hlo*a.ow+wlo:], a.ow, x[ih*a.w+iw:], a.win.SH*a.w, hhi-hlo, whi-wlo)
					if wlo == 0 && whi == a.ow {
						continue // no padding at the rows' ends
					}
				}
				for oh := hlo; oh < hhi; oh++ {
					out := row[oh*a.ow : (oh+1)*a.ow]
					clear(out[:wlo])
					clear(out[whi:])
					if a.win.SW == 1 {
						continue
					}
					in := x[(oh*a.win.SH-a.win.PH+kh)*a.w:][:a.w]
					for ow, i := wlo, iw; ow < whi; ow, i = ow+1, i+a.win.SW {
						out[ow] = in[i]
					}
				}
			}
		}
	}
})

// shifted reports whether the window moves by one pixel both ways and the
// output is as wide as the input ("same" padding), so each of a plane's
// columns rows is the plane itself shifted by a fixed offset.
func (a *convArgs) shifted() bool {
	return a.win.SH == 1 && a.win.SW == 1 && a.ow == a.w
}

// Col2im scatters each plane's columns back in a fixed order (kh, kw, oh,
// ow); a plane is written by one worker only, so the sums do not depend on
// the worker count.
var col2imLoop = newLoop(func(a *convArgs, lo, hi int) {
	for plane := lo; plane < hi; plane++ {
		x := a.x[plane*a.h*a.w : (plane+1)*a.h*a.w]
		cols := a.cols[plane*a.planeInner : (plane+1)*a.planeInner]
		clear(x)
		for kh := range a.win.KH {
			hlo, hhi := validOut(a.oh, a.h, kh, a.win.SH, a.win.PH)
			for kw := range a.win.KW {
				wlo, whi := validOut(a.ow, a.w, kw, a.win.SW, a.win.PW)
				row := cols[(kh*a.win.KW+kw)*a.oh*a.ow:][:a.oh*a.ow]
				sw := a.win.SW
				if sw == 1 && hlo < hhi && wlo < whi {
					// Each output row's valid run adds to one run of x.
					ih, iw := hlo*a.win.SH-a.win.PH+kh, wlo-a.win.PW+kw
					rows.Add(x[ih*a.w+iw:], a.win.SH*a.w, row[hlo*a.ow+wlo:], a.ow, hhi-hlo, whi-wlo)
					continue
				}
				for oh := hlo; oh < hhi; oh++ {
					in := row[oh*a.ow+wlo : oh*a.ow+whi]
					iw := wlo*sw - a.win.PW + kw
					out := x[(oh*a.win.SH-a.win.PH+kh)*a.w:][:a.w]
					for _, v := range in {
						out[iw] += v
						iw += sw
					}
				}
			}
		}
	}
})

func (d *cpuDevice) Im2col(cols, x *Tensor, w Window) {
	im2colLoop.For(d.workers, x.shape[0]*x.shape[1], 1, newConvArgs(x, cols, w))
}

func (d *cpuDevice) Col2im(dx, cols *Tensor, w Window) {
	col2imLoop.For(d.workers, dx.shape[0]*dx.shape[1], 1, newConvArgs(dx, cols, w))
}
