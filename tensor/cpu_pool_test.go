package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPoolMatchesWindowScan checks the branch-free 3x3 and 2x2 paths
// (and their vector versions, 16 windows a step) against the plain scan
// on planes full of ties, signed zeros, infinities and NaNs, and on
// planes of -Inf only, where a padded window's padding must not win; with
// rows of fewer than 16 windows, exactly 16, and several blocks and a
// tail.
func TestMaxPoolMatchesWindowScan(t *testing.T) {
	dev := CPU()
	rng := rand.New(rand.NewPCG(1, 2))
	inf := float32(math.Inf(-1))
	values := []float32{-1, 0, float32(math.Copysign(0, -1)), 1, 2, inf, float32(math.NaN())}
	for _, tc := range []struct {
		win   Window
		width int
	}{
		{Square(3, 2, 0), 14}, {Square(3, 2, 0), 33}, {Square(3, 2, 0), 71}, {Square(3, 2, 0), 98},
		{Square(3, 2, 1), 14}, {Square(3, 2, 1), 67}, {Square(3, 1, 1), 14}, {Square(3, 1, 1), 19}, {Square(3, 1, 0), 34}, {Square(3, 1, 1), 40},
		{Window{KH: 3, KW: 3, SH: 3, SW: 2}, 40},
		{Square(2, 2, 0), 14}, {Square(2, 2, 0), 33}, {Square(2, 2, 0), 71}, {Square(2, 2, 1), 15}, {Square(2, 1, 0), 9}, {Window{KH: 2, KW: 2, SH: 1, SW: 2}, 20},
	} {
		for _, infOnly := range []bool{false, true} {
			win := tc.win
			t.Run(fmt.Sprintf("%v_width%d_infOnly:%v", win, tc.width, infOnly), func(t *testing.T) {
				shape := []int{2, 3, 11, tc.width}
				data := make([]float32, checkShape(shape))
				for i := range data {
					// NaNs are rare, so most windows hold none and some two.
					data[i] = values[rng.IntN(len(values)-1)]
					if rng.IntN(20) == 0 {
						data[i] = values[len(values)-1]
					}
					if infOnly {
						data[i] = inf
					}
				}
				x := FromSlice(dev, data, shape...)
				y := Zeros(dev, PoolOut(shape, win)...)
				argmax := New(dev, Int32, y.Shape()...)
				MaxPool(y, argmax, x, win)
				h, w := shape[2], shape[3]
				oh, ow := y.Dim(2), y.Dim(3)
				ys, args := f32(y), i32(argmax)
				for plane := range shape[0] * shape[1] {
					xp := data[plane*h*w:][:h*w]
					for r := range oh {
						for q := range ow {
							i := (plane*oh+r)*ow + q
							want := argmaxWindow(xp, h, w, r*win.SH-win.PH, q*win.SW-win.PW, win.KH, win.KW)
							if int(args[i]) != want || math.Float32bits(ys[i]) != math.Float32bits(xp[want]) {
								t.Fatalf("plane %d output (%d, %d): argmax %d value %v, want %d value %v", plane, r, q, args[i], ys[i], want, xp[want])
							}
						}
					}
				}
			})
		}
	}
}

// BenchmarkMaxPool times the CPU's max-pool at batch 128 on the pools of
// the book's GoogLeNet at 96x96 (3x3, stride 1 beside its convolutions on
// 12x12, 6x6 and 3x3 maps; stride 2 between its stages) and ResNet's
// stem (stride 2 on 48x48).
func BenchmarkMaxPool(b *testing.B) {
	dev := CPU()
	for _, s := range []struct {
		shape  [4]int
		stride int
	}{
		{[4]int{128, 192, 12, 12}, 1}, {[4]int{128, 480, 6, 6}, 1}, {[4]int{128, 832, 3, 3}, 1},
		{[4]int{128, 192, 24, 24}, 2}, {[4]int{128, 64, 48, 48}, 2},
	} {
		w := Square(3, s.stride, 1)
		b.Run(fmt.Sprintf("%dx%dx%d/stride=%d", s.shape[1], s.shape[2], s.shape[3], s.stride), func(b *testing.B) {
			x := RandUniform(dev, 1, -1, 1, s.shape[:]...)
			y := New(dev, Float32, PoolOut(x.Shape(), w)...)
			arg := New(dev, Int32, y.Shape()...)
			for b.Loop() {
				MaxPool(y, arg, x, w)
			}
		})
	}
}
