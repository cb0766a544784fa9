package rows

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRows checks Copy and Add, the assembly where this CPU has it, against
// plain loops on rows of every width around the 16-float vectors, with
// NaN guards between and after the rows of dst that must stay untouched.
func TestRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	guard := float32(math.NaN())
	for _, w := range []int{1, 5, 15, 16, 17, 31, 33, 54} {
		for _, n := range []int{1, 2, 7} {
			ldd, lds := w+rng.IntN(5), w+rng.IntN(9)
			src := make([]float32, (n-1)*lds+w)
			for i := range src {
				src[i] = rng.Float32()
			}
			for _, op := range []struct {
				name string
				f    func(dst []float32, ldd int, src []float32, lds, n, w int)
				want func(d, s float32) float32
			}{
				{"Copy", Copy, func(_, s float32) float32 { return s }},
				{"Add", Add, func(d, s float32) float32 { return d + s }},
			} {
				dst := make([]float32, n*ldd+3)
				for i := range dst {
					dst[i] = guard
					if i%ldd < w && i < n*ldd {
						dst[i] = rng.Float32()
					}
				}
				before := append([]float32(nil), dst...)
				op.f(dst, ldd, src, lds, n, w)
				for i, got := range dst {
					r, j := i/ldd, i%ldd
					want := before[i]
					if r < n && j < w {
						want = op.want(before[i], src[r*lds+j])
					}
					if math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%s of %d rows of %d (ldd %d, lds %d): element %d is %v, want %v", op.name, n, w, ldd, lds, i, got, want)
					}
				}
			}
		}
	}
}
