package bf16

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRound(t *testing.T) {
	for _, c := range []struct {
		in   uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, // 1
		{0x3f808000, 0x3f80}, // halfway, even below: down
		{0x3f818000, 0x3f82}, // halfway, odd below: up
		{0x3f808001, 0x3f81}, // past halfway: up
		{0x7f7fffff, 0x7f80}, // the largest float rounds to infinity
		{0xff800000, 0xff80}, // -Inf
		{0x7fa00001, 0x7fe0}, // a signalling NaN comes out quiet
		{0x00400000, 0x0000}, // a denormal: zero
		{0x80000001, 0x8000}, // a negative denormal: -0
		{0x00800000, 0x0080}, // the smallest normal stays
		{math.Float32bits(-2.5), 0xc020},
	} {
		if got := Round(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("Round(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

// TestSlices checks RoundSlice and WidenSlice, the assembly where this CPU
// has it, against Round and Widen on every length around the 16-element
// vectors, on random bits (NaNs, infinities and denormals among them) and
// on values near the rounding's halfway points; the elements past the
// length must stay as they were.
func TestSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 50 {
		src := make([]float32, n)
		for i := range src {
			b := rng.Uint32()
			if i%2 == 1 {
				b = b&^0xffff | 0x8000 | uint32(rng.IntN(3)) - 1 // near halfway
			}
			src[i] = math.Float32frombits(b)
		}
		rounded := make([]uint16, n+3)
		for i := range rounded {
			rounded[i] = 0x1234
		}
		RoundSlice(rounded, src)
		for i, got := range rounded {
			want := uint16(0x1234)
			if i < n {
				want = Round(src[i])
			}
			if got != want {
				t.Fatalf("RoundSlice of %d: element %d (%#08x) is %#04x, want %#04x", n, i, math.Float32bits(src[i%max(n, 1)]), got, want)
			}
		}
		wide := make([]float32, n+3)
		guard := math.Float32frombits(0x7fc01234)
		for i := range wide {
			wide[i] = guard
		}
		WidenSlice(wide, rounded[:n])
		for i, got := range wide {
			want := guard
			if i < n {
				want = Widen(rounded[i])
			}
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("WidenSlice of %d: element %d is %#08x, want %#08x", n, i, math.Float32bits(got), math.Float32bits(want))
			}
		}
	}
}

func BenchmarkRoundSlice(b *testing.B) {
	src, dst := make([]float32, 2916), make([]uint16, 2916)
	b.SetBytes(6 * int64(len(src)))
	for b.Loop() {
		RoundSlice(dst, src)
	}
}

func BenchmarkWidenSlice(b *testing.B) {
	src, dst := make([]uint16, 2916), make([]float32, 2916)
	b.SetBytes(6 * int64(len(src)))
	for b.Loop() {
		WidenSlice(dst, src)
	}
}
