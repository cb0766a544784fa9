package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

// linear64 returns the two source positions and weights PyTorch's bilinear
// interpolation (align_corners=False) gives output position o along a
// dimension resized from in to out elements.
func linear64(o, in, out int) (i0, i1 int, l0, l1 float64) {
	src := max(float64(in)/float64(out)*(float64(o)+0.5)-0.5, 0)
	i0 = min(int(math.Floor(src)), in-1)
	l1 = min(max(src-float64(i0), 0), 1)
	i1 = min(i0+1, in-1)
	return i0, i1, 1 - l1, l1
}

// resize64 is the reference bilinear resize of planes of h x w values.
func resize64(src []float64, planes, h, w, oh, ow int) []float64 {
	dst := make([]float64, 0, planes*oh*ow)
	for p := range planes {
		s := src[p*h*w:][:h*w]
		for y := range oh {
			y0, y1, a0, a1 := linear64(y, h, oh)
			for x := range ow {
				x0, x1, b0, b1 := linear64(x, w, ow)
				dst = append(dst, a0*(b0*s[y0*w+x0]+b1*s[y0*w+x1])+a1*(b0*s[y1*w+x0]+b1*s[y1*w+x1]))
			}
		}
	}
	return dst
}

// testResize covers the 28 -> 224 upscale the model runs, odd up- and
// downscales, the same size, a single source pixel and a single output.
func testResize(c *checker) {
	for _, rc := range []struct {
		src    [4]int
		oh, ow int
		bytes  bool
	}{
		{[4]int{1, 2, 28, 28}, 224, 224, true},
		{[4]int{1, 1, 5, 7}, 13, 3, false},
		{[4]int{2, 1, 13, 9}, 5, 4, false},
		{[4]int{1, 1, 6, 6}, 6, 6, true},
		{[4]int{1, 2, 1, 1}, 4, 3, false},
		{[4]int{1, 1, 4, 5}, 1, 1, true},
		{[4]int{3, 1, 1, 7}, 2, 7, false},
		{[4]int{1, 1, 7, 3}, 16, 9, true},
	} {
		dtype := tensor.Float32
		if rc.bytes {
			dtype = tensor.Uint8
		}
		c.run(fmt.Sprintf("%v_%v_to_%dx%d", dtype, rc.src, rc.oh, rc.ow), func(c *checker) {
			n := elems(rc.src[:])
			var src *tensor.Tensor
			var vals []float64
			if rc.bytes {
				raw := make([]uint8, n)
				vals = make([]float64, n)
				for i := range raw {
					raw[i] = uint8(c.rng.Uint32())
					vals[i] = float64(raw[i]) / 255
				}
				src = c.alloc("src", true, raw, rc.src[:]...).t
			} else {
				f := c.uniform(n, -1, 1)
				vals = wide64(f)
				src = c.in("src", f, rc.src[:]...)
			}
			dst := c.out("dst", rc.src[0], rc.src[1], rc.oh, rc.ow)
			tensor.Resize(dst.t, src)
			want := resize64(vals, rc.src[0]*rc.src[1], rc.src[2], rc.src[3], rc.oh, rc.ow)
			c.near("dst", c.floats(dst), want, c.tol.Other)
		})
	}
}
