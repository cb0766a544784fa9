package tensor

import (
	"fmt"
	"math"
	"testing"
)

// TestShiftedIm2colCol2im checks the windows whose columns rows are the
// plane shifted (stride 1, output as wide as the input) against a plain
// unfold, to the bit, with uneven kernels and padding past the kernel.
func TestShiftedIm2colCol2im(t *testing.T) {
	dev := CPU()
	for _, win := range []Window{
		Square(3, 1, 1), Square(5, 1, 2), Square(1, 1, 0),
		{KH: 2, KW: 3, SH: 1, SW: 1, PH: 3, PW: 1},
		{KH: 4, KW: 5, SH: 1, SW: 1, PH: 0, PW: 2},
	} {
		t.Run(fmt.Sprint(win), func(t *testing.T) {
			shape := []int{2, 3, 5, 7}
			x := RandNormal(dev, 1, 0, 1, shape...)
			colShape := ConvOut(shape, win)
			if oh, ow := win.Out(shape[2], shape[3]); ow != shape[3] {
				t.Fatalf("window %v gives %dx%d outputs: not the shifted case", win, oh, ow)
			}
			cols := RandNormal(dev, 2, 0, 1, colShape...)
			Im2col(cols, x, win)
			dx := RandNormal(dev, 3, 0, 1, shape...)
			Col2im(dx, cols, win)

			h, w := shape[2], shape[3]
			oh, ow := win.Out(h, w)
			xs, cs := f32(x), f32(cols)
			want := make([]float32, len(xs))
			i := 0
			for plane := range shape[0] * shape[1] {
				for kh := range win.KH {
					for kw := range win.KW {
						for r := range oh {
							for q := range ow {
								ih, iw := r-win.PH+kh, q-win.PW+kw
								var v float32
								if ih >= 0 && ih < h && iw >= 0 && iw < w {
									v = xs[plane*h*w+ih*w+iw]
									want[plane*h*w+ih*w+iw] += cs[i]
								}
								if math.Float32bits(cs[i]) != math.Float32bits(v) {
									t.Fatalf("cols[%d] = %v, want %v", i, cs[i], v)
								}
								i++
							}
						}
					}
				}
			}
			for j, v := range f32(dx) {
				if math.Float32bits(v) != math.Float32bits(want[j]) {
					t.Fatalf("dx[%d] = %v, want %v", j, v, want[j])
				}
			}
		})
	}
}

// TestFoldOf checks how many images a product of a small map takes: the
// fewest filling 128 columns, or up to four times as many where whole
// panels of 32 waste less.
func TestFoldOf(t *testing.T) {
	for _, c := range []struct{ pos, n, want int }{
		{9, 256, 32},  // ResNet's 3x3: 288 columns, where 15 gave 135
		{36, 256, 8},  // its 6x6: 288, where 4 gave 144
		{16, 256, 8},  // 128 already whole panels
		{100, 256, 8}, // LeNet's 10x10: 800
		{25, 256, 23}, // NiN's 5x5: 575, 1 empty of 576
		{9, 20, 20},   // no more than the batch
		{144, 256, 1}, // 128 positions or more: one image
		{169, 256, 1},
	} {
		if got := foldOf(c.pos, c.n); got != c.want {
			t.Errorf("foldOf(%d, %d) = %d, want %d", c.pos, c.n, got, c.want)
		}
	}
}
