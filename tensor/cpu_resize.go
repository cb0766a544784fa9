package tensor

// resizeArgs carries one Resize call; planes (image, channel) are the units
// of work. Exactly one of srcF and srcU is set.
type resizeArgs struct {
	dst    []float32
	srcF   []float32
	srcU   []uint8
	h, w   int
	oh, ow int
}

// linearSource returns, as PyTorch's upsample_bilinear2d does (align_corners
// false, no antialiasing), the two source positions output position o reads
// along a dimension of in -> out elements, and their weights.
func linearSource(o, in, out int) (i0, i1 int, l0, l1 float32) {
	scale := float32(in) / float32(out)
	src := max(scale*(float32(o)+0.5)-0.5, 0)
	i0 = min(int(src), in-1)
	l1 = min(max(src-float32(i0), 0), 1)
	i1 = i0
	if i0 < in-1 {
		i1++
	}
	return i0, i1, 1 - l1, l1
}

// resizePlane interpolates one plane and divides by unit: 255 turns raw
// pixels into [0, 1] (the same as reading each as value/255, up to rounding,
// since interpolation is linear) and 1 leaves floats as they are.
func resizePlane[T float32 | uint8](dst []float32, src []T, h, w, oh, ow int, unit float32) {
	for y := range oh {
		y0, y1, hy0, hy1 := linearSource(y, h, oh)
		r0, r1 := src[y0*w:][:w], src[y1*w:][:w]
		out := dst[y*ow:][:ow]
		for x := range ow {
			x0, x1, wx0, wx1 := linearSource(x, w, ow)
			v := hy0*(wx0*float32(r0[x0])+wx1*float32(r0[x1])) + hy1*(wx0*float32(r1[x0])+wx1*float32(r1[x1]))
			out[x] = v / unit
		}
	}
}

var resizeLoop = newLoop(func(a *resizeArgs, lo, hi int) {
	in, out := a.h*a.w, a.oh*a.ow
	for plane := lo; plane < hi; plane++ {
		dst := a.dst[plane*out:][:out]
		if a.srcU != nil {
			resizePlane(dst, a.srcU[plane*in:][:in], a.h, a.w, a.oh, a.ow, 255)
		} else {
			resizePlane(dst, a.srcF[plane*in:][:in], a.h, a.w, a.oh, a.ow, 1)
		}
	}
})

func (d *cpuDevice) Resize(dst, src *Tensor) {
	a := resizeArgs{dst: f32(dst), h: src.shape[2], w: src.shape[3], oh: dst.shape[2], ow: dst.shape[3]}
	if src.DType() == Uint8 {
		a.srcU = u8(src)
	} else {
		a.srcF = f32(src)
	}
	resizeLoop.For(d.workers, dst.shape[0]*dst.shape[1], grainFor(a.oh*a.ow), a)
}
