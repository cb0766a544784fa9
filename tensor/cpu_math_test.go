package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/internal/bf16"
)

// ulps returns how many float32 values lie between a and b (finite, of
// one sign).
func ulps(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	return max(d, -d)
}

// TestExp32 checks exp32's float32 rounding against math.Exp's over every
// float32 input it can matter for, 2^24 of them evenly spaced, and at the
// special values: within an ulp (a double rounding), exact at 0 and +Inf.
func TestExp32(t *testing.T) {
	for i := 0; i < 1<<24; i++ {
		x := float32(-110 + 220*float64(i)/(1<<24))
		got, want := float32(exp32(x)), float32(math.Exp(float64(x)))
		if ulps(got, want) > 1 || (want == 0 || math.IsInf(float64(want), 1)) && got != want {
			t.Fatalf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
		if got, want := float32(exp32(x)), float32(math.Exp(float64(x))); got != want && !(got != got && want != want) {
			t.Errorf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestSigmoidSpan checks the sigmoid this CPU runs (AVX-512 where there is
// one) against float64's: within 2 ulps wherever the result is a normal
// float32, at most the smallest normal where it is not, NaN for NaN, and
// the limits at the infinities; lengths that are not multiples of 16 test
// the masked tail.
func TestSigmoidSpan(t *testing.T) {
	const n = 1<<22 + 7
	xs := make([]float32, n)
	for i := range xs {
		xs[i] = float32(-110 + 220*float64(i)/n)
	}
	xs[0], xs[1], xs[2], xs[3] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0
	ys := make([]float32, n)
	sigmoidSpan(xs, ys)
	for i, x := range xs {
		want, got := float32(1/(1+math.Exp(-float64(x)))), ys[i]
		switch {
		case x != x:
			if got == got {
				t.Fatalf("sigmoid(NaN) = %v", got)
			}
		case want < 0x1p-126:
			if !(got <= 0x1p-126) {
				t.Fatalf("sigmoid(%v) = %v, want %v", x, got, want)
			}
		case ulps(got, want) > 2:
			t.Fatalf("sigmoid(%v) = %v, want %v", x, got, want)
		}
	}
	if ys[1] != 1 || ys[2] != 0 || ys[3] != 0.5 {
		t.Errorf("sigmoid(+Inf, -Inf, 0) = %v, %v, %v", ys[1], ys[2], ys[3])
	}
}

// guard is the bits of the NaN the assembly's tests put past a slice's end.
const guard = 0x7fc0dead

// randomBits returns a generator of float32 bits, seeded: one in three a
// special value (zeros of both signs, denormals, infinities, quiet,
// signalling and negative NaNs, ±1), the others random.
func randomBits(seed uint64) func() uint32 {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	special := []uint32{0, 0x80000000, 0x00000001, 0x80000001, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x7fa00001, 0xffc12345, 0x3f800000, 0xbf800000}
	return func() uint32 {
		if rng.IntN(3) == 0 {
			return special[rng.IntN(len(special))]
		}
		return rng.Uint32()
	}
}

// TestReluMask checks reluMask, the assembly where this CPU has it, on
// float32 and bfloat16 masks against the masks' definition, on every
// length around the 16-lane vectors: random bits (NaNs, infinities, zeros
// of both signs and denormals among them) in the mask and the gradient,
// and guards past the length that must stay.
func TestReluMask(t *testing.T) {
	bits := randomBits(7)
	for n := range 50 {
		y, x32, x16 := make([]float32, n), make([]float32, n), make([]uint16, n)
		for i := range y {
			y[i], x32[i] = math.Float32frombits(bits()), math.Float32frombits(bits())
			x16[i] = uint16(bits() >> 16)
		}
		for _, c := range []struct {
			name string
			run  func(z []float32)
			pass func(i int) bool
		}{
			{"float32", func(z []float32) { reluMask(z, y, x32) }, func(i int) bool { return x32[i] > 0 }},
			{"bfloat16", func(z []float32) { reluMask(z, y, x16) }, func(i int) bool { return bf16.Widen(x16[i]) > 0 }},
		} {
			z := make([]float32, n+3)
			for i := range z {
				z[i] = math.Float32frombits(guard)
			}
			c.run(z[:n])
			for i, v := range z {
				want := uint32(guard)
				if i < n {
					want = 0
					if c.pass(i) {
						want = math.Float32bits(y[i])
					}
				}
				if math.Float32bits(v) != want {
					t.Fatalf("%s mask of %d: element %d is %#08x, want %#08x", c.name, n, i, math.Float32bits(v), want)
				}
			}
		}
	}
}

// TestAddBias checks addBias, the assembly where this CPU has it, against
// its definition in Go on every length around the 16-lane vectors, on
// random bits (NaNs of both operands, infinities, zeros of both signs,
// denormals) with and without the ReLU; elements past the length must
// stay.
func TestAddBias(t *testing.T) {
	bits := randomBits(9)
	for n := range 50 {
		for _, withReLU := range []bool{false, true} {
			b := math.Float32frombits(bits())
			y := make([]float32, n+3)
			want := make([]uint32, n+3)
			for i := range y {
				y[i] = math.Float32frombits(bits())
				v := y[i] + b
				if withReLU && !(v > 0 || v != v) {
					v = 0
				}
				want[i] = math.Float32bits(v)
				if i >= n {
					y[i], want[i] = math.Float32frombits(guard), guard
				}
			}
			addBias(y[:n], b, withReLU)
			for i, v := range y {
				if math.Float32bits(v) != want[i] {
					t.Fatalf("addBias of %d, relu %v, bias %#08x: element %d is %#08x, want %#08x", n, withReLU, math.Float32bits(b), i, math.Float32bits(v), want[i])
				}
			}
		}
	}
}

// TestResizePlane checks resizePlane, which interpolates source rows
// first, against interpolating each output pixel from its four source
// pixels, bit for bit: up, down, and by odd factors, from bytes and from
// floats.
func TestResizePlane(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][4]int{{28, 28, 224, 224}, {5, 7, 3, 11}, {9, 4, 9, 4}, {1, 1, 6, 2}, {13, 17, 40, 5}} {
		h, w, oh, ow := s[0], s[1], s[2], s[3]
		srcU, srcF := make([]uint8, h*w), make([]float32, h*w)
		for i := range srcU {
			srcU[i], srcF[i] = uint8(rng.Uint32()), rng.Float32()*4-2
		}
		check := func(name string, got []float32, at func(y, x int) float32, unit float32) {
			for y := range oh {
				y0, y1, hy0, hy1 := linearSource(y, h, oh)
				for x := range ow {
					x0, x1, wx0, wx1 := linearSource(x, w, ow)
					v := hy0*(wx0*at(y0, x0)+wx1*at(y0, x1)) + hy1*(wx0*at(y1, x0)+wx1*at(y1, x1))
					if want := v / unit; math.Float32bits(got[y*ow+x]) != math.Float32bits(want) {
						t.Fatalf("%s %v: pixel (%d, %d) is %v, want %v", name, s, y, x, got[y*ow+x], want)
					}
				}
			}
		}
		rows := make([]float32, h*ow)
		got := make([]float32, oh*ow)
		resizePlane(got, srcU, h, w, oh, ow, 255, rows)
		check("bytes", got, func(y, x int) float32 { return float32(srcU[y*w+x]) }, 255)
		resizePlane(got, srcF, h, w, oh, ow, 1, rows)
		check("floats", got, func(y, x int) float32 { return srcF[y*w+x] }, 1)
	}
}
