package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// windowCase is an input shape [N, C, H, W] and a window over it.
type windowCase struct {
	shape [4]int
	win   tensor.Window
}

func (w windowCase) String() string { return fmt.Sprintf("%v_%v", w.shape, w.win) }

// convCases are fixed corner cases (1x1 everything, AlexNet's 11x11 stride
// 4, a stride beyond the kernel, padding wider than the kernel so whole
// rows read padding, rows of more than 32 outputs, a 1x1 window over
// several channels) followed by random windows.
func (c *checker) convCases() []windowCase {
	cases := []windowCase{
		{[4]int{1, 1, 1, 1}, tensor.Square(1, 1, 0)},
		{[4]int{1, 2, 4, 37}, tensor.Square(3, 1, 1)},
		{[4]int{2, 3, 5, 7}, tensor.Window{KH: 3, KW: 2, SH: 1, SW: 2, PH: 1, PW: 0}},
		{[4]int{1, 2, 9, 9}, tensor.Square(3, 2, 1)},
		{[4]int{3, 1, 6, 5}, tensor.Square(5, 1, 2)},
		{[4]int{2, 1, 23, 23}, tensor.Square(11, 4, 1)},
		{[4]int{1, 4, 4, 4}, tensor.Square(2, 3, 0)},
		{[4]int{1, 2, 3, 8}, tensor.Window{KH: 1, KW: 4, SH: 2, SW: 1, PH: 2, PW: 3}},
		{[4]int{2, 5, 6, 7}, tensor.Square(1, 1, 0)}, // 1x1, as NiN's blocks have
	}
	for len(cases) < 13 {
		w := tensor.Window{KH: 1 + c.rng.IntN(4), KW: 1 + c.rng.IntN(4), SH: 1 + c.rng.IntN(3), SW: 1 + c.rng.IntN(3), PH: c.rng.IntN(4), PW: c.rng.IntN(4)}
		s := [4]int{1 + c.rng.IntN(2), 1 + c.rng.IntN(3), 1 + c.rng.IntN(10), 1 + c.rng.IntN(10)}
		if oh, ow := w.Out(s[2], s[3]); oh >= 1 && ow >= 1 {
			cases = append(cases, windowCase{s, w})
		}
	}
	return cases
}

// unfold calls fn for every (image, channel, kernel row, kernel column,
// output row, output column) with the column-matrix index it fills and the
// input index it reads, or -1 where that falls in the padding.
func unfold(s [4]int, w tensor.Window, fn func(col, in int)) {
	n, ch, h, wd := s[0], s[1], s[2], s[3]
	oh, ow := w.Out(h, wd)
	col := 0
	for img := range n {
		for c := range ch {
			for kh := range w.KH {
				for kw := range w.KW {
					for y := range oh {
						for x := range ow {
							ih, iw := y*w.SH-w.PH+kh, x*w.SW-w.PW+kw
							in := -1
							if ih >= 0 && ih < h && iw >= 0 && iw < wd {
								in = ((img*ch+c)*h+ih)*wd + iw
							}
							fn(col, in)
							col++
						}
					}
				}
			}
		}
	}
}

func testIm2col(c *checker) {
	for _, wc := range c.convCases() {
		c.run(wc.String(), func(c *checker) {
			x := c.uniform(elems(wc.shape[:]), -1, 1)
			colShape := tensor.ConvOut(wc.shape[:], wc.win)
			cols := c.out("cols", colShape...)
			tensor.Im2col(cols.t, c.in("x", x, wc.shape[:]...), wc.win)
			want := make([]float64, elems(colShape))
			unfold(wc.shape, wc.win, func(col, in int) {
				if in >= 0 {
					want[col] = float64(x[in])
				}
			})
			c.near("cols", c.floats(cols), want, c.tol.Other)
		})
	}
}

// testCol2im fills dx with NaN first: Col2im overwrites it.
func testCol2im(c *checker) {
	for _, wc := range c.convCases() {
		c.run(wc.String(), func(c *checker) {
			colShape := tensor.ConvOut(wc.shape[:], wc.win)
			cols := c.uniform(elems(colShape), -1, 1)
			dx := c.out("dx", wc.shape[:]...)
			tensor.Col2im(dx.t, c.in("cols", cols, colShape...), wc.win)
			want := make([]float64, elems(wc.shape[:]))
			unfold(wc.shape, wc.win, func(col, in int) {
				if in >= 0 {
					want[in] += float64(cols[col])
				}
			})
			c.near("dx", c.floats(dx), want, c.tol.Other)
		})
	}
}
