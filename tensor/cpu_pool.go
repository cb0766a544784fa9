package tensor

import "math"

// poolArgs carries a MaxPool or MaxPoolGrad call; planes (image, channel)
// are the units of work.
type poolArgs struct {
	x, y   []float32
	arg    []int32
	h, w   int
	oh, ow int
	win    Window
}

var maxPoolLoop = newLoop(func(a *poolArgs, lo, hi int) {
	for plane := lo; plane < hi; plane++ {
		x := a.x[plane*a.h*a.w:][:a.h*a.w]
		y := a.y[plane*a.oh*a.ow:][:a.oh*a.ow]
		arg := a.arg[plane*a.oh*a.ow:][:a.oh*a.ow]
		for oh := range a.oh {
			h0 := oh*a.win.SH - a.win.PH
			hlo, hhi := max(h0, 0), min(h0+a.win.KH, a.h)
			for ow := range a.ow {
				w0 := ow*a.win.SW - a.win.PW
				wlo, whi := max(w0, 0), min(w0+a.win.KW, a.w)
				best, at := float32(math.Inf(-1)), -1
				for ih := hlo; ih < hhi; ih++ {
					for iw := wlo; iw < whi; iw++ {
						v := x[ih*a.w+iw]
						// A NaN wins over numbers (the first NaN over later
						// ones), as in PyTorch, so a diverged model shows it.
						if at < 0 || v > best || (math.IsNaN(float64(v)) && !math.IsNaN(float64(best))) {
							best, at = v, ih*a.w+iw
						}
					}
				}
				y[oh*a.ow+ow], arg[oh*a.ow+ow] = best, int32(at)
			}
		}
	}
})

// maxPoolGradLoop scatters each plane's dy through its argmax in output
// order; one worker owns a plane, so the sums do not depend on the worker
// count.
var maxPoolGradLoop = newLoop(func(a *poolArgs, lo, hi int) {
	for plane := lo; plane < hi; plane++ {
		dx := a.x[plane*a.h*a.w:][:a.h*a.w]
		dy := a.y[plane*a.oh*a.ow:][:a.oh*a.ow]
		arg := a.arg[plane*a.oh*a.ow:][:a.oh*a.ow]
		clear(dx)
		for i, g := range dy {
			dx[arg[i]] += g
		}
	}
})

func (cpuDevice) MaxPool(y, argmax, x *Tensor, w Window) {
	a := poolArgs{x: f32(x), y: f32(y), arg: i32(argmax), h: x.shape[2], w: x.shape[3], oh: y.shape[2], ow: y.shape[3], win: w}
	maxPoolLoop.For(x.shape[0]*x.shape[1], grainFor(a.oh*a.ow*w.KH*w.KW), a)
}

func (cpuDevice) MaxPoolGrad(dx, dy, argmax *Tensor) {
	a := poolArgs{x: f32(dx), y: f32(dy), arg: i32(argmax), h: dx.shape[2], w: dx.shape[3], oh: dy.shape[2], ow: dy.shape[3]}
	maxPoolGradLoop.For(dx.shape[0]*dx.shape[1], grainFor(a.h*a.w), a)
}
