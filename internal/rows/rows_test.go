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

// TestStrided checks Strided, the assembly where this CPU has it, against
// its definition on every length around the 16-lane vectors and strides 1
// to 5, with NaN guards after dst that must stay; src ends at the last
// element read, or runs on (where the assembly permutes whole blocks).
func TestStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for stride := 1; stride <= 5; stride++ {
		for n := range 100 {
			src := make([]float32, max(1, (n-1)*stride+1)+n%2*70)
			for i := range src {
				src[i] = rng.Float32()
			}
			dst := make([]float32, n+3)
			for i := range dst {
				dst[i] = float32(math.NaN())
			}
			Strided(dst[:n], src, stride)
			for i, got := range dst {
				if i >= n {
					if got == got {
						t.Fatalf("stride %d, %d elements: wrote %v past the end at %d", stride, n, got, i)
					}
					continue
				}
				if want := src[i*stride]; got != want {
					t.Fatalf("stride %d, %d elements: element %d is %v, want %v", stride, n, i, got, want)
				}
			}
		}
	}
}

// BenchmarkStrided copies a row of AlexNet's conv1 input as its forward
// view reads it: 54 positions, every fourth element.
func BenchmarkStrided(b *testing.B) {
	src, dst := make([]float32, 224), make([]float32, 54)
	for b.Loop() {
		Strided(dst, src, 4)
	}
}
