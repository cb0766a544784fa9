package tensor_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// mustPanic runs fn and fails unless it panics with a message holding every
// one of parts.
func mustPanic(t *testing.T, fn func(), parts ...string) {
	t.Helper()
	msg := func() (msg string) {
		defer func() {
			if r := recover(); r != nil {
				msg, _ = r.(string)
				if msg == "" {
					msg = "non-string panic"
				}
			}
		}()
		fn()
		return ""
	}()
	if msg == "" {
		t.Fatalf("no panic, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("panic %q does not mention %q", msg, p)
		}
	}
}

func TestNumel(t *testing.T) {
	for _, c := range []struct {
		shape []int
		n     int
		ok    bool
	}{
		{nil, 1, true},
		{[]int{2, 3, 4}, 24, true},
		{[]int{5, 0, 7}, 0, true},
		{[]int{1 << 40, 1 << 40, 0}, 0, true},
		{[]int{3, -1}, 0, false},
		{[]int{1 << 32, 1 << 32}, 0, false},
		{[]int{tensor.MaxElements}, tensor.MaxElements, true},
		{[]int{tensor.MaxElements, 2}, 0, false},
	} {
		if n, ok := tensor.Numel(c.shape); n != c.n || ok != c.ok {
			t.Errorf("Numel(%v) = %d, %v; want %d, %v", c.shape, n, ok, c.n, c.ok)
		}
	}
}

func TestConstructors(t *testing.T) {
	dev := tensor.CPU()
	z := tensor.New(dev, tensor.Int32, 2, 1, 3)
	if z.DType() != tensor.Int32 || z.Rank() != 3 || z.Len() != 6 || z.Dim(-1) != 3 || z.Dim(0) != 2 || z.Offset() != 0 {
		t.Fatalf("New(Int32, 2, 1, 3): %v %v rank %d len %d", z.DType(), z.Shape(), z.Rank(), z.Len())
	}
	if v, _ := z.Int32s(); !slices.Equal(v, make([]int32, 6)) {
		t.Errorf("New is not zeroed: %v", v)
	}
	if s := tensor.Zeros(dev); s.Len() != 1 || s.Rank() != 0 {
		t.Errorf("a scalar has %d elements and rank %d", s.Len(), s.Rank())
	}
	if e := tensor.Zeros(dev, 4, 0); e.Len() != 0 {
		t.Errorf("shape [4 0] has %d elements", e.Len())
	}

	data := []float32{1, 2, 3, 4, 5, 6}
	f := tensor.FromSlice(dev, data, 3, 2)
	data[0] = 100 // FromSlice copies
	if got := devicetest.Floats(t, f); !slices.Equal(got, []float32{1, 2, 3, 4, 5, 6}) {
		t.Errorf("FromSlice: %v", got)
	}
	mustPanic(t, func() { tensor.FromSlice(dev, data, 4, 2) }, "6", "[4 2]")
	mustPanic(t, func() { tensor.FromSlice(dev, []float64{1}, 1) }, "[]float64")
	mustPanic(t, func() { tensor.New(dev, tensor.Float32, 2, -1) }, "[2 -1]")
	// A product that wraps around must not pass for a small shape.
	mustPanic(t, func() { tensor.Zeros(dev, 1<<32, 1<<32) }, "[4294967296 4294967296]")
	mustPanic(t, func() { tensor.Zeros(dev, 1<<31, 1<<31, 4) }, "more than")
	mustPanic(t, func() { tensor.Zeros(dev, 1, 1).Reshape(1<<32, 1<<32, 0, -1) }, "bad dimension")

	a := devicetest.Floats(t, tensor.RandUniform(dev, 7, -2, 3, 1000))
	if !slices.Equal(a, devicetest.Floats(t, tensor.RandUniform(dev, 7, -2, 3, 1000))) {
		t.Error("RandUniform differs for one seed")
	}
	for _, v := range a {
		if v < -2 || v >= 3 {
			t.Fatalf("RandUniform(-2, 3) gave %v", v)
		}
	}
	var mean, sq float64
	for _, v := range devicetest.Floats(t, tensor.RandNormal(dev, 8, 1, 2, 10000)) {
		mean += float64(v) / 10000
		sq += float64(v) * float64(v) / 10000
	}
	// 10000 draws: the mean is within 0.1 and the variance within 0.3 of
	// 1 and 4 with overwhelming probability.
	if mean < 0.9 || mean > 1.1 || sq-mean*mean < 3.7 || sq-mean*mean > 4.3 {
		t.Errorf("RandNormal(1, 2): mean %.3f variance %.3f", mean, sq-mean*mean)
	}
}

func TestViews(t *testing.T) {
	dev := tensor.CPU()
	x := tensor.FromSlice(dev, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 4, 3)

	r := x.Reshape(2, -1, 2)
	if !slices.Equal(r.Shape(), []int{2, 3, 2}) {
		t.Errorf("Reshape(2, -1, 2) of [4 3]: %v", r.Shape())
	}
	if r := x.Reshape(-1); !slices.Equal(r.Shape(), []int{12}) {
		t.Errorf("Reshape(-1) of [4 3]: %v", r.Shape())
	}
	mustPanic(t, func() { x.Reshape(5, -1) }, "[4 3]", "[5 -1]")
	mustPanic(t, func() { x.Reshape(2, 2) }, "[4 3]", "[2 2]")
	mustPanic(t, func() { tensor.Zeros(dev, 0, 3).Reshape(0, -1) }, "[0 3]", "[0 -1]")

	s := x.Slice(1, 3)
	if !slices.Equal(s.Shape(), []int{2, 3}) || s.Offset() != 3 {
		t.Fatalf("Slice(1, 3) of [4 3]: shape %v offset %d", s.Shape(), s.Offset())
	}
	if got := devicetest.Floats(t, s); !slices.Equal(got, []float32{3, 4, 5, 6, 7, 8}) {
		t.Errorf("Slice(1, 3): %v", got)
	}
	// Views share memory both ways.
	s.Reshape(6).CopyFrom([]float32{-1, -2, -3, -4, -5, -6})
	want := []float32{0, 1, 2, -1, -2, -3, -4, -5, -6, 9, 10, 11}
	if got := devicetest.Floats(t, x); !slices.Equal(got, want) {
		t.Errorf("after writing through a slice: %v, want %v", got, want)
	}
	if got := devicetest.Floats(t, r.Slice(1, 2)); !slices.Equal(got, want[6:]) {
		t.Errorf("slice of a reshape: %v, want %v", got, want[6:])
	}
	mustPanic(t, func() { x.Slice(3, 5) }, "[4 3]")
	mustPanic(t, func() { x.Slice(2, 1) }, "[4 3]")

	st := x.Storage()
	v := tensor.ViewOf(st, 10, 2)
	if got := devicetest.Floats(t, v); !slices.Equal(got, []float32{10, 11}) {
		t.Errorf("ViewOf(st, 10, 2): %v", got)
	}
	mustPanic(t, func() { tensor.ViewOf(st, 11, 2) }, "11", "12")
	mustPanic(t, func() { tensor.ViewOf(st, -1, 1) }, "-1")

	c := x.Slice(0, 1).Clone()
	tensor.Fill(x, 0)
	if got := devicetest.Floats(t, c); !slices.Equal(got, []float32{0, 1, 2}) {
		t.Errorf("Clone changed with its source: %v", got)
	}
}

func TestCopyFromTo(t *testing.T) {
	dev := tensor.CPU()
	b := tensor.New(dev, tensor.Uint8, 2, 2)
	b.CopyFrom([]uint8{1, 2, 3, 255})
	got := make([]uint8, 4)
	if err := b.CopyTo(got); err != nil || !slices.Equal(got, []uint8{1, 2, 3, 255}) {
		t.Errorf("uint8 round trip: %v %v", got, err)
	}
	i := tensor.New(dev, tensor.Int32, 3)
	i.CopyFrom([]int32{-7, 0, 7})
	if v, err := i.Int32s(); err != nil || !slices.Equal(v, []int32{-7, 0, 7}) {
		t.Errorf("int32 round trip: %v %v", v, err)
	}
	mustPanic(t, func() { b.CopyFrom([]uint8{1, 2, 3}) }, "3", "[2 2]")
	mustPanic(t, func() { b.CopyFrom([]float32{1, 2, 3, 4}) }, "float32", "uint8")
	mustPanic(t, func() { i.CopyTo(make([]float32, 3)) }, "float32", "int32")
}

func TestString(t *testing.T) {
	dev := tensor.CPU()
	small := tensor.FromSlice(dev, []float32{1, 2.5, 3, 4, 5, 6}, 2, 3)
	want := "Tensor(float32 [2 3] on cpu)\n[[1 2.5 3]\n [4 5 6]]"
	if got := small.String(); got != want {
		t.Errorf("String:\n%s\nwant\n%s", got, want)
	}
	long := tensor.FromSlice(dev, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10)
	want = "Tensor(int32 [10] on cpu)\n[0 1 2 ... 7 8 9]"
	if got := long.String(); got != want {
		t.Errorf("String:\n%s\nwant\n%s", got, want)
	}
	// A long leading dimension keeps its first and last three rows.
	rows := tensor.Zeros(dev, 100, 2).String()
	if n := strings.Count(rows, "[0 0]"); n != 6 || !strings.Contains(rows, "...") {
		t.Errorf("a [100 2] tensor prints %d rows:\n%s", n, rows)
	}
}

// TestShapeMismatchPanics checks that the package-level operations name
// both shapes when they refuse their arguments.
func TestShapeMismatchPanics(t *testing.T) {
	dev := tensor.CPU()
	a, b := tensor.Zeros(dev, 2, 3), tensor.Zeros(dev, 3, 2)
	mustPanic(t, func() { tensor.Axpy(1, a, b) }, "[2 3]", "[3 2]")
	mustPanic(t, func() { tensor.Mul(a, a, b) }, "[2 3]", "[3 2]")
	mustPanic(t, func() { tensor.ReLU(a, b) }, "[2 3]", "[3 2]")
	mustPanic(t, func() { tensor.MatMul(tensor.Zeros(dev, 2, 2), 1, a, false, a, false, 0) }, "2x3", "2x3")
	mustPanic(t, func() { tensor.BiasAdd(a, tensor.Zeros(dev, 2)) }, "[2]", "[2 3]")
	x := tensor.Zeros(dev, 1, 2, 5, 5)
	mustPanic(t, func() { tensor.Im2col(tensor.Zeros(dev, 1, 18, 24), x, tensor.Square(3, 1, 0)) }, "[1 18 24]", "[1 18 9]")
	mustPanic(t, func() {
		tensor.SoftmaxCrossEntropy(tensor.Zeros(dev, 1), tensor.New(dev, tensor.Int32, 1), nil, a, tensor.New(dev, tensor.Int32, 3))
	}, "[3]", "[2]")
	mustPanic(t, func() { tensor.Resize(tensor.Zeros(dev, 1, 3, 4, 4), x) }, "[1 3 4 4]", "[1 2 5 5]")
	mustPanic(t, func() { tensor.Resize(tensor.Zeros(dev, 1, 2, 4, 4), tensor.Zeros(dev, 1, 2, 0, 5)) }, "empty planes", "[1 2 0 5]")
	// A 6x6 kernel over 5x5 with stride 2: Go's division would round the
	// -1/2 of (5-6)/2 to zero and make one output pixel of it.
	big := tensor.Square(6, 2, 0)
	mustPanic(t, func() { tensor.Im2col(tensor.Zeros(dev, 1, 72, 1), x, big) }, "does not fit", "[1 2 5 5]")
	y, argmax := tensor.Zeros(dev, 1, 2, 1, 1), tensor.New(dev, tensor.Int32, 1, 2, 1, 1)
	mustPanic(t, func() { tensor.MaxPool(y, argmax, x, big) }, "does not fit", "[1 2 5 5]")
}

// TestDropoutShift checks that a shifted seed gives element i the draw of
// element offset+i under the seed, however far the offset.
func TestDropoutShift(t *testing.T) {
	for _, offset := range []uint64{0, 1, 7, 1 << 20, 1<<63 + 5} {
		for i := uint64(0); i < 100; i++ {
			if got, want := tensor.DropoutUniform(tensor.DropoutShift(42, offset), i), tensor.DropoutUniform(42, offset+i); got != want {
				t.Fatalf("offset %d, element %d: %v, want %v", offset, i, got, want)
			}
		}
	}
}
