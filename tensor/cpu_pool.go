package tensor

import (
	"math"
	"math/bits"

	"github.com/tensorforge/tensorforge/internal/bf16"
)

// poolArgs carries a pooling call or its gradient (x and y then hold dx
// and dy); planes (image, channel) are the units of work.
type poolArgs struct {
	x, y []float32 // average pooling's, and MaxPoolGrad's dx and dy
	// MaxPool's x and y, either of which may be BFloat16: it widens
	// each plane of such an x into a buffer of the worker's, and writes
	// each of such a y there before rounding it.
	in, out activation
	mask    activation // MaxPoolGrad's, or none
	arg     []int32
	h, w    int
	oh, ow  int
	win     Window
}

var maxPoolLoop = newLoop(func(a *poolArgs, lo, hi int) {
	in, out := a.h*a.w, a.oh*a.ow
	k := a.win.KH
	rows := k == a.win.KW && (k == 3 || k == 2) // windows with row loops of their own
	// Padded windows of stride 1 (GoogLeNet's, beside its convolutions)
	// run on a padded copy of each plane (see padPlane).
	padded := rows && (a.win.PH > 0 || a.win.PW > 0) && a.win.SH == 1 && a.win.SW == 1
	ph, pw := a.h+2*a.win.PH, a.w+2*a.win.PW
	// A worker's buffer holds a plane widened from bfloat16 or padded, and
	// an output plane to round to bfloat16.
	var buf []float32
	need := 0
	switch {
	case padded:
		need = ph * pw
	case a.in.h != nil:
		need = in
	}
	if a.out.h != nil {
		need += out
	}
	if need > 0 {
		p := planes.get(need)
		defer planes.put(p)
		buf = *p
	}
	for plane := lo; plane < hi; plane++ {
		var x, y []float32
		rest := buf // what x leaves of the buffer
		switch {
		case padded:
			x, rest = buf[:ph*pw], buf[ph*pw:]
			a.padPlane(x, plane)
		case a.in.h != nil:
			x, rest = buf[:in], buf[in:]
			bf16.WidenSlice(x, a.in.h[plane*in:][:in])
		default:
			x = a.in.f[plane*in:][:in]
		}
		if a.out.h != nil {
			y = rest[:out]
		} else {
			y = a.out.f[plane*out:][:out]
		}
		arg := a.arg[plane*out:][:out]
		switch {
		case padded:
			a.maxPoolPadded(x, y, arg)
		default:
			a.maxPoolPlane(x, y, arg, rows)
		}
		if a.out.h != nil {
			bf16.RoundSlice(a.out.h[plane*out:][:out], y)
		}
	}
})

// maxPoolPlane pools x, a plane of the input, into y and arg: the windows
// that lie inside x, where rows, with the row loops, the others one at a
// time.
func (a *poolArgs) maxPoolPlane(x, y []float32, arg []int32, rows bool) {
	k := a.win.KH
	row := maxPoolRow
	if k == 2 {
		row = maxPool2Row
	}
	for oh := range a.oh {
		h0 := oh*a.win.SH - a.win.PH
		y, arg := y[oh*a.ow:][:a.ow], arg[oh*a.ow:][:a.ow]
		// [in0, in1) are the outputs whose window lies inside x.
		in0, in1 := 0, 0
		if rows && h0 >= 0 && h0+k <= a.h {
			in0, in1 = validOut(a.ow, a.w, 0, a.win.SW, a.win.PW)
			_, end := validOut(a.ow, a.w, k-1, a.win.SW, a.win.PW)
			in1 = max(in0, min(in1, end))
			row(x, y[in0:in1], arg[in0:in1], h0*a.w+in0*a.win.SW-a.win.PW, a.w, a.win.SW)
		}
		for _, span := range [2][2]int{{0, in0}, {in1, a.ow}} {
			for ow := span[0]; ow < span[1]; ow++ {
				at := argmaxWindow(x, a.h, a.w, h0, ow*a.win.SW-a.win.PW, k, a.win.KW)
				best := float32(math.Inf(-1))
				if at >= 0 {
					best = x[at]
				}
				y[ow], arg[ow] = best, int32(at)
			}
		}
	}
}

// padPlane writes plane of the input into x, (h+2PH) x (w+2PW), inside a
// border of -Inf as wide as the padding. A window over the padding then
// lies inside x, where the row loops take it, and the padding never wins
// over a pixel of the plane but where that pixel is -Inf too (see
// maxPoolPadded). On GoogLeNet's 12x12 and smaller maps, most windows of
// its stride-1 pools cross the border, which maxPoolPlane takes one
// window at a time.
func (a *poolArgs) padPlane(x []float32, plane int) {
	inf := float32(math.Inf(-1))
	pw := a.w + 2*a.win.PW
	for i := range x[:a.win.PH*pw] {
		x[i] = inf
	}
	for r := range a.h {
		row := x[(a.win.PH+r)*pw:][:pw]
		for i := range a.win.PW {
			row[i], row[pw-1-i] = inf, inf
		}
		src := row[a.win.PW:][:a.w]
		if a.in.h != nil {
			bf16.WidenSlice(src, a.in.h[(plane*a.h+r)*a.w:][:a.w])
		} else {
			copy(src, a.in.f[(plane*a.h+r)*a.w:][:a.w])
		}
	}
	for i := range x[(a.win.PH+a.h)*pw:] {
		x[(a.win.PH+a.h)*pw+i] = inf
	}
}

// maxPoolPadded pools x, a plane padPlane wrote for windows of stride 1,
// into y, and writes each maximum's index in the plane itself to arg. It
// takes every row's windows in one call, side by side, and drops those
// that straddle two rows: on small maps a call a row cost more than the
// windows it took. A window whose maximum is -Inf holds nothing but -Inf
// and padding, where the padding may have won: the first pixel of the
// plane in it is the one argmaxWindow's scan takes.
func (a *poolArgs) maxPoolPadded(x, y []float32, arg []int32) {
	row := maxPoolRow
	if a.win.KH == 2 {
		row = maxPool2Row
	}
	pw := a.w + 2*a.win.PW
	n := (a.oh-1)*pw + a.ow // window (r, c) is at r*pw + c
	pm, pa := planes.get(n), planeArgs.get(n)
	defer planes.put(pm)
	defer planeArgs.put(pa)
	ms, ats := (*pm)[:n], (*pa)[:n]
	row(x, ms, ats, 0, pw, 1)
	inf := float32(math.Inf(-1))
	for oh := range a.oh {
		h0 := oh - a.win.PH
		for ow := range a.ow {
			m, at := ms[oh*pw+ow], int(ats[oh*pw+ow])
			w0 := ow - a.win.PW
			if m == inf {
				r, c := max(h0, 0), max(w0, 0)
				at = -1
				if r < min(h0+a.win.KH, a.h) && c < min(w0+a.win.KW, a.w) {
					at = r*a.w + c
				}
			} else {
				// The maximum's row and column within its window, and so
				// in the plane.
				d := at - oh*pw - ow
				dr := int(b2u(d >= pw) + b2u(d >= 2*pw))
				at = (h0+dr)*a.w + w0 + d - dr*pw
			}
			y[oh*a.ow+ow], arg[oh*a.ow+ow] = m, int32(at)
		}
	}
}

// maxPool2Row is maxPool2x2, or a vector version of it where the CPU has
// one.
var maxPool2Row = maxPool2x2

// maxPool2x2 is maxPool3x3 for 2x2 windows (VGG's and LeNet's pools),
// unrolled as it is: one function over k x k windows, looping over k, took
// twice the time of maxPool3x3 for AlexNet's pools (a build without
// assembly, where these loops serve every stride).
func maxPool2x2(x, y []float32, arg []int32, i0, w, stride int) {
	for o := range y {
		r0, r1 := x[i0:i0+2], x[i0+w:i0+w+2]
		m := max(max(r0[0], r0[1]), max(r1[0], r1[1]))
		var at int
		if m == m {
			e := b2u(r0[0] == m) | b2u(r0[1] == m)<<1 | b2u(r1[0] == m)<<2 | b2u(r1[1] == m)<<3
			first := bits.TrailingZeros(e)
			at = i0 + first/2*w + first%2
		} else {
			at = i0 + argmaxWindow(x[i0:], 2, w, 0, 0, 2, 2)
		}
		y[o], arg[o] = x[at], int32(at)
		i0 += stride
	}
}

// argmaxWindow returns the index in x (an h x w plane) of the first
// maximum, in row-major order, of the kh x kw window at (h0, w0), clipped
// to the plane; -1 if nothing of the window lies inside. A NaN wins over
// numbers (the first NaN over later ones), as in PyTorch, so a diverged
// model shows it.
func argmaxWindow(x []float32, h, w, h0, w0, kh, kw int) int {
	best, at := float32(0), -1
	for ih := max(h0, 0); ih < min(h0+kh, h); ih++ {
		for iw := max(w0, 0); iw < min(w0+kw, w); iw++ {
			v := x[ih*w+iw]
			if at < 0 || v > best || (v != v && best == best) {
				best, at = v, ih*w+iw
			}
		}
	}
	return at
}

// maxPoolRow is maxPool3x3, or a vector version of it where the CPU has one.
var maxPoolRow = maxPool3x3

// maxPool3x3 fills a row of outputs whose 3x3 windows lie inside x, a
// plane w wide, the first at x[i0] and each the next stride to the right.
// Comparing and keeping the running maximum's index mispredicts a branch
// every few pixels, so each window's maximum is taken without branches,
// then the first pixel equal to it is found from a bit mask.
func maxPool3x3(x, y []float32, arg []int32, i0, w, stride int) {
	for o := range y {
		r0, r1, r2 := x[i0:i0+3], x[i0+w:i0+w+3], x[i0+2*w:i0+2*w+3]
		m := max(max(r0[0], r0[1], r0[2]), max(r1[0], r1[1], r1[2]), max(r2[0], r2[1], r2[2]))
		var at int
		if m == m {
			e := b2u(r0[0] == m) | b2u(r0[1] == m)<<1 | b2u(r0[2] == m)<<2 |
				b2u(r1[0] == m)<<3 | b2u(r1[1] == m)<<4 | b2u(r1[2] == m)<<5 |
				b2u(r2[0] == m)<<6 | b2u(r2[1] == m)<<7 | b2u(r2[2] == m)<<8
			first := bits.TrailingZeros(e)
			at = i0 + first/3*w + first%3
		} else {
			// max propagates a NaN, which equals nothing.
			at = i0 + argmaxWindow(x[i0:], 3, w, 0, 0, 3, 3)
		}
		y[o], arg[o] = x[at], int32(at)
		i0 += stride
	}
}

// b2u is 1 for true; the compiler makes it a SETcc, not a branch.
func b2u(b bool) uint {
	if b {
		return 1
	}
	return 0
}

// maxPoolGradLoop scatters each plane's dy through its argmax in output
// order, each value through the mask, if any, at the pixel it lands on:
// where the mask is not positive it adds +0, so the pixel keeps the +0 it
// was cleared to, what zeroing those pixels after the scatter gives, with
// a read of the mask a window rather than a pass over the plane. One
// worker owns a plane, so the sums do not depend on the worker count.
var maxPoolGradLoop = newLoop(func(a *poolArgs, lo, hi int) {
	in, out := a.h*a.w, a.oh*a.ow
	for plane := lo; plane < hi; plane++ {
		dx := a.x[plane*in:][:in]
		dy := a.y[plane*out:][:out]
		arg := a.arg[plane*out:][:out]
		clear(dx)
		switch {
		case a.mask.f != nil:
			m := a.mask.f[plane*in:][:in]
			for i, g := range dy {
				p := arg[i]
				dx[p] += math.Float32frombits(math.Float32bits(g) & keep(m[p]))
			}
		case a.mask.h != nil:
			m := a.mask.h[plane*in:][:in]
			for i, g := range dy {
				p := arg[i]
				dx[p] += math.Float32frombits(math.Float32bits(g) & keepBF16(m[p]))
			}
		default:
			for i, g := range dy {
				dx[arg[i]] += g
			}
		}
	}
})

func (d *cpuDevice) MaxPool(y, argmax, x *Tensor, w Window) {
	a := poolArgs{in: activationOf(x), out: activationOf(y), arg: i32(argmax), h: x.shape[2], w: x.shape[3],
		oh: y.shape[2], ow: y.shape[3], win: w}
	maxPoolLoop.For(d.workers, x.shape[0]*x.shape[1], grainFor(a.oh*a.ow*w.KH*w.KW), a)
}

func (d *cpuDevice) MaxPoolGrad(dx, dy, argmax *Tensor, _ Window, mask *Tensor) {
	a := poolArgs{x: f32(dx), y: f32(dy), arg: i32(argmax), h: dx.shape[2], w: dx.shape[3], oh: dy.shape[2], ow: dy.shape[3]}
	if mask != nil {
		a.mask = activationOf(mask)
	}
	maxPoolGradLoop.For(d.workers, dx.shape[0]*dx.shape[1], grainFor(a.h*a.w), a)
}

// avgPoolLoop sums each window's pixels inside the plane in float64, in
// row-major order, and divides by the whole window's size, so the padding
// counts as zeros. Each window holds at least one pixel of the plane:
// the padding is at most half the kernel.
var avgPoolLoop = newLoop(func(a *poolArgs, lo, hi int) {
	size := float64(a.win.KH * a.win.KW)
	for plane := lo; plane < hi; plane++ {
		x := a.x[plane*a.h*a.w:][:a.h*a.w]
		y := a.y[plane*a.oh*a.ow:][:a.oh*a.ow]
		if a.win == pool2x2 {
			avgPool2x2(x, y, a.w, a.oh, a.ow)
			continue
		}
		for oh := range a.oh {
			h0, h1 := a.windowRows(oh)
			for ow := range a.ow {
				w0, w1 := a.windowCols(ow)
				var s float64
				for ih := h0; ih < h1; ih++ {
					for _, v := range x[ih*a.w+w0 : ih*a.w+w1] {
						s += float64(v)
					}
				}
				y[oh*a.ow+ow] = float32(s / size)
			}
		}
	}
})

// pool2x2 is the 2x2, stride-2 window of LeNet's and most nets' pooling,
// which the average pool runs without the general loop's bookkeeping.
var pool2x2 = Square(2, 2, 0)

// avgPool2x2 is avgPoolLoop's plane for pool2x2, with the same sums in the
// same order, so the same bits.
func avgPool2x2(x, y []float32, w, oh, ow int) {
	for r := range oh {
		r0, r1, out := x[2*r*w:][:2*ow], x[(2*r+1)*w:][:2*ow], y[r*ow:][:ow]
		for c := range out {
			s := float64(r0[2*c]) + float64(r0[2*c+1]) + float64(r1[2*c]) + float64(r1[2*c+1])
			out[c] = float32(s / 4)
		}
	}
}

// avgPoolGradLoop scatters each plane's dy/(KH*KW) over its windows in
// output order; one worker owns a plane, so the sums do not depend on the
// worker count.
var avgPoolGradLoop = newLoop(func(a *poolArgs, lo, hi int) {
	size := float32(a.win.KH * a.win.KW)
	for plane := lo; plane < hi; plane++ {
		dx := a.x[plane*a.h*a.w:][:a.h*a.w]
		dy := a.y[plane*a.oh*a.ow:][:a.oh*a.ow]
		clear(dx)
		if a.win == pool2x2 {
			// The windows do not overlap: each pixel gets one window's
			// share, 0 + g, as the general loop adds it.
			for r := range a.oh {
				r0, r1, g := dx[2*r*a.w:][:2*a.ow], dx[(2*r+1)*a.w:][:2*a.ow], dy[r*a.ow:][:a.ow]
				for c, v := range g {
					v /= size
					r0[2*c], r0[2*c+1], r1[2*c], r1[2*c+1] = v, v, v, v
				}
			}
			continue
		}
		for oh := range a.oh {
			h0, h1 := a.windowRows(oh)
			for ow := range a.ow {
				w0, w1 := a.windowCols(ow)
				g := dy[oh*a.ow+ow] / size
				for ih := h0; ih < h1; ih++ {
					row := dx[ih*a.w+w0 : ih*a.w+w1]
					for i := range row {
						row[i] += g
					}
				}
			}
		}
	}
})

// windowRows returns the rows [h0, h1) of the plane that output row oh's
// window covers.
func (a *poolArgs) windowRows(oh int) (h0, h1 int) {
	h0 = oh*a.win.SH - a.win.PH
	return max(h0, 0), min(h0+a.win.KH, a.h)
}

// windowCols returns the columns [w0, w1) of the plane that output column
// ow's window covers.
func (a *poolArgs) windowCols(ow int) (w0, w1 int) {
	w0 = ow*a.win.SW - a.win.PW
	return max(w0, 0), min(w0+a.win.KW, a.w)
}

func (d *cpuDevice) AvgPool(y, x *Tensor, w Window) {
	a := poolArgs{x: f32(x), y: f32(y), h: x.shape[2], w: x.shape[3], oh: y.shape[2], ow: y.shape[3], win: w}
	avgPoolLoop.For(d.workers, x.shape[0]*x.shape[1], grainFor(a.oh*a.ow*w.KH*w.KW), a)
}

func (d *cpuDevice) AvgPoolGrad(dx, dy *Tensor, w Window) {
	a := poolArgs{x: f32(dx), y: f32(dy), h: dx.shape[2], w: dx.shape[3], oh: dy.shape[2], ow: dy.shape[3], win: w}
	avgPoolGradLoop.For(d.workers, dx.shape[0]*dx.shape[1], grainFor(a.oh*a.ow*w.KH*w.KW), a)
}
