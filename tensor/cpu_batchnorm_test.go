package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBatchNormPasses checks the passes of batch normalisation in use
// (AVX-512 where the CPU has it) against the Go versions, bit for bit, on
// spans of every length around the sixteen a step, one image and several,
// the data gradient written over dy as the network does; and the sums
// against float64 sums in one running total.
func TestBatchNormPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []int{1, 7, 8, 9, 15, 16, 17, 24, 36, 100, 144} {
		for _, n := range []int{1, 3} {
			stride := s + 5 // other channels' values between the spans
			size := (n-1)*stride + s
			x, dy := make([]float32, size), make([]float32, size)
			for i := range x {
				x[i], dy[i] = rng.Float32()*6-1, rng.Float32()*2-1
			}
			var sum, sq, g, gx float64
			mean := 1.25
			for i := range n {
				for j := range s {
					v, d := float64(x[i*stride+j]), float64(dy[i*stride+j])
					sum, sq, g, gx = sum+v, sq+(v-mean)*(v-mean), g+d, gx+d*(v-mean)
				}
			}
			bits := func(name string, got, want float64, ref float64) {
				t.Helper()
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Errorf("s %d, n %d: %s %v, the Go version's %v", s, n, name, got, want)
				}
				if math.Abs(got-ref) > 1e-12*math.Max(1, math.Abs(ref))*float64(n*s) {
					t.Errorf("s %d, n %d: %s %v, float64 in one sum %v", s, n, name, got, ref)
				}
			}
			bits("sum", bnSum(x, s, stride, n), bnSumGo(x, s, stride, n), sum)
			bits("squared deviations", bnSquaredDev(x, s, stride, n, mean), bnSquaredDevGo(x, s, stride, n, mean), sq)
			g1, gx1 := bnSumsDY(dy, x, s, stride, n, mean)
			g2, gx2 := bnSumsDYGo(dy, x, s, stride, n, mean)
			bits("sum of dy", g1, g2, g)
			bits("sum of dy*(x-mean)", gx1, gx2, gx)

			same := func(name string, got, want []float32) {
				t.Helper()
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("s %d, n %d: %s[%d] = %v, the Go version's %v", s, n, name, i, got[i], want[i])
					}
				}
			}
			y1, y2 := slices.Clone(dy), slices.Clone(dy) // the values between spans stay
			bnNormalize(y1, x, s, stride, n, 0.75, 1.5, -0.25)
			bnNormalizeGo(y2, x, s, stride, n, 0.75, 1.5, -0.25)
			same("normalized", y1, y2)
			c := bnGradConsts{mean: 1.25, inv: 0.8, k: 1.1, meanDY: 0.01, meanDYX: -0.02}
			d1, d2 := slices.Clone(dy), slices.Clone(dy)
			bnDataGrad(d1, d1, x, s, stride, n, c)
			bnDataGradGo(d2, d2, x, s, stride, n, c)
			same("data gradient", d1, d2)
		}
	}
}

// BenchmarkBatchNorm times a training pass of batch normalisation forward
// and back over ResNet-18's first stage at its recipe's batch (256 images
// of 64 channels of 24x24) and over its last (512 channels of 3x3).
func BenchmarkBatchNorm(b *testing.B) {
	for _, shape := range [][]int{{256, 64, 24, 24}, {256, 512, 3, 3}} {
		b.Run(fmt.Sprint(shape), func(b *testing.B) {
			c := shape[1]
			x, y := RandUniform(CPU(), 1, -1, 3, shape...), Zeros(CPU(), shape...)
			dy := RandUniform(CPU(), 2, -1, 1, shape...)
			ch := func(v float32) *Tensor {
				t := Zeros(CPU(), c)
				Fill(t, v)
				return t
			}
			a := &BatchNormArgs{X: x, Y: y, DY: dy, DX: dy, Scale: ch(1), Shift: ch(0), Mean: ch(0), InvStd: ch(0),
				RunningMean: ch(0), RunningVar: ch(1), DScale: ch(0), DShift: ch(0), Train: true, Eps: 1e-5, Momentum: 0.1}
			for b.Loop() {
				BatchNorm(a)
				BatchNormGrad(a)
			}
			b.ReportMetric(float64(x.Len())*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gvalues/s")
		})
	}
}
