package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// checker holds one test's device, tolerances, random stream and the
// buffers made since its case began.
type checker struct {
	t    *testing.T
	dev  tensor.Device
	tol  Tolerances
	rng  *rand.Rand
	bufs []*buffer
}

// run runs one case of an operation as a sub-test named for its shapes and
// options, then checks that every buffer's guards (and every input) are
// untouched. Cases share the operation's random stream, in order.
func (c *checker) run(name string, fn func(c *checker)) {
	c.t.Run(name, func(t *testing.T) {
		cc := &checker{t: t, dev: c.dev, tol: c.tol, rng: c.rng}
		fn(cc)
		for _, b := range cc.bufs {
			cc.read(b)
		}
	})
}

// buffer is a tensor viewing the middle of a larger allocation whose other
// elements are guards that no operation may write.
type buffer struct {
	name  string
	t     *tensor.Tensor
	st    tensor.Storage
	off   int  // the view's first element within st
	n     int  // the view's length
	host  any  // st's contents as written: []float32, []int32, []uint8 or []uint16
	input bool // the view itself must stay as written too
}

// alloc writes data ([]float32, []int32, []uint8, or []uint16 for
// BFloat16) into a fresh allocation between guards of random length and
// value and returns the buffer viewing it with the given shape.
func (c *checker) alloc(name string, input bool, data any, shape ...int) *buffer {
	pre, post := 1+c.rng.IntN(23), 1+c.rng.IntN(23)
	var host any
	var dt tensor.DType
	var n int
	switch d := data.(type) {
	case []float32:
		n, dt, host = len(d), tensor.Float32, guarded(d, pre, post, func() float32 { return float32(c.rng.NormFloat64() * 1e3) })
	case []int32:
		n, dt, host = len(d), tensor.Int32, guarded(d, pre, post, c.rng.Int32)
	case []uint8:
		n, dt, host = len(d), tensor.Uint8, guarded(d, pre, post, func() uint8 { return uint8(c.rng.Uint32()) })
	case []uint16:
		n, dt, host = len(d), tensor.BFloat16, guarded(d, pre, post, func() uint16 { return uint16(c.rng.Uint32()) })
	default:
		panic(fmt.Sprintf("devicetest: alloc of %T", data))
	}
	st := c.dev.Alloc(dt, pre+n+post)
	c.dev.Write(st, 0, host)
	b := &buffer{name: name, st: st, off: pre, n: n, host: host, input: input,
		t: tensor.ViewOf(st, pre, shape...)}
	c.bufs = append(c.bufs, b)
	return b
}

// guarded returns d between pre and post guard values drawn from guard.
func guarded[T any](d []T, pre, post int, guard func() T) []T {
	h := make([]T, pre+len(d)+post)
	for i := range h {
		h[i] = guard()
	}
	copy(h[pre:], d)
	return h
}

// in returns a Float32 input tensor holding data; the operation must not
// change it.
func (c *checker) in(name string, data []float32, shape ...int) *tensor.Tensor {
	return c.alloc(name, true, data, shape...).t
}

// inout returns a Float32 buffer holding data that the operation may update.
func (c *checker) inout(name string, data []float32, shape ...int) *buffer {
	return c.alloc(name, false, data, shape...)
}

// inPlace returns an input buffer holding data and the buffer the
// operation writes its result to: the input itself when alias is set (the
// operation runs in place), else a separate NaN-filled output.
func (c *checker) inPlace(alias bool, in, out string, data []float32, shape ...int) (src, dst *buffer) {
	if alias {
		src = c.inout(in, data, shape...)
		return src, src
	}
	return c.alloc(in, true, data, shape...), c.out(out, shape...)
}

// out returns a Float32 buffer filled with NaN, so an operation that reads
// what it should only overwrite shows it.
func (c *checker) out(name string, shape ...int) *buffer {
	data := make([]float32, elems(shape))
	for i := range data {
		data[i] = float32(math.NaN())
	}
	return c.alloc(name, false, data, shape...)
}

// read returns the view's contents, after checking that the guards (and
// the view, for an input) are as written.
func (c *checker) read(b *buffer) any {
	c.t.Helper()
	total := lenOf(b.host)
	var got any
	switch b.host.(type) {
	case []float32:
		got = make([]float32, total)
	case []int32:
		got = make([]int32, total)
	case []uint8:
		got = make([]uint8, total)
	case []uint16:
		got = make([]uint16, total)
	}
	if err := c.dev.Read(got, b.st, 0); err != nil {
		c.t.Fatalf("reading %s: %v", b.name, err)
	}
	for i := range total {
		inView := i >= b.off && i < b.off+b.n
		if inView && !b.input {
			continue
		}
		if sameElem(b.host, got, i) {
			continue
		}
		where := fmt.Sprintf("guard element %d before the view", b.off-i)
		if i >= b.off+b.n {
			where = fmt.Sprintf("guard element %d after the view", i-b.off-b.n)
		} else if inView {
			where = fmt.Sprintf("input element %d", i-b.off)
		}
		c.t.Fatalf("%s: %s changed from %s to %s", b.name, where, elemAt(b.host, i), elemAt(got, i))
	}
	switch g := got.(type) {
	case []float32:
		return g[b.off : b.off+b.n]
	case []int32:
		return g[b.off : b.off+b.n]
	case []uint16:
		return g[b.off : b.off+b.n]
	default:
		return g.([]uint8)[b.off : b.off+b.n]
	}
}

// floats reads a Float32 buffer.
func (c *checker) floats(b *buffer) []float32 {
	c.t.Helper()
	return c.read(b).([]float32)
}

// bfloat16s reads a BFloat16 buffer.
func (c *checker) bfloat16s(b *buffer) []uint16 {
	c.t.Helper()
	return c.read(b).([]uint16)
}

// ints reads an Int32 buffer.
func (c *checker) ints(b *buffer) []int32 {
	c.t.Helper()
	return c.read(b).([]int32)
}

func lenOf(s any) int {
	switch s := s.(type) {
	case []float32:
		return len(s)
	case []int32:
		return len(s)
	case []uint16:
		return len(s)
	}
	return len(s.([]uint8))
}

// sameElem reports whether element i of a and b (slices of one type) is
// the same, floats compared by their bits. It spares formatting the many
// elements that match.
func sameElem(a, b any, i int) bool {
	switch a := a.(type) {
	case []float32:
		return math.Float32bits(a[i]) == math.Float32bits(b.([]float32)[i])
	case []int32:
		return a[i] == b.([]int32)[i]
	case []uint16:
		return a[i] == b.([]uint16)[i]
	}
	return a.([]uint8)[i] == b.([]uint8)[i]
}

// elemAt formats element i exactly (floats by their bits, so a NaN guard
// compares equal to itself).
func elemAt(s any, i int) string {
	switch s := s.(type) {
	case []float32:
		return fmt.Sprintf("%v (%#08x)", s[i], math.Float32bits(s[i]))
	case []int32:
		return fmt.Sprint(s[i])
	case []uint16:
		return fmt.Sprintf("%#04x", s[i])
	}
	return fmt.Sprint(s.([]uint8)[i])
}

// near fails the test unless ||got-want|| <= tol*||want|| (or <= tol when
// want is zero), naming the worst element. An infinite want (a result
// that overflows float32) must be matched exactly and is left out of the
// norms.
func (c *checker) near(what string, got []float32, want []float64, tol float64) {
	c.t.Helper()
	if len(got) != len(want) {
		c.t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	var diff, norm, worst float64
	at := -1
	for i, w := range want {
		if math.IsInf(w, 0) {
			if float64(got[i]) != w {
				c.t.Errorf("%s: element %d is %v, want %v", what, i, got[i], w)
			}
			continue
		}
		d := math.Abs(float64(got[i]) - w)
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		diff += d * d
		norm += w * w
		if at < 0 || d > worst {
			worst, at = d, i
		}
	}
	rel := math.Sqrt(diff)
	if norm > 0 {
		rel /= math.Sqrt(norm)
	}
	if !(rel <= tol) {
		c.t.Errorf("%s: relative error %.3g exceeds %.3g (worst element %d: got %v, want %v)", what, rel, tol, at, got[at], want[at])
	}
}

// sameFloats fails the test unless got and want are equal bit for bit.
func (c *checker) sameFloats(what string, got, want []float32) {
	c.t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			c.t.Errorf("%s: element %d is %v, want exactly %v", what, i, got[i], want[i])
			return
		}
	}
}

// sameElems fails the test unless got equals want, naming the first
// difference (floats compare by value: no NaN may appear).
func sameElems[T int32 | uint8 | uint16 | float32](c *checker, what string, got, want []T) {
	c.t.Helper()
	if len(got) != len(want) {
		c.t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			c.t.Errorf("%s: element %d is %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}

// uniform returns n values drawn uniformly from [lo, hi).
func (c *checker) uniform(n int, lo, hi float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = lo + (hi-lo)*c.rng.Float32()
	}
	return s
}

// steps returns n integers from [lo, hi] as floats: inputs with many exact
// ties and zeros.
func (c *checker) steps(n, lo, hi int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(lo + c.rng.IntN(hi-lo+1))
	}
	return s
}

// gradBetas are the betas of the operations that write a parameter's
// gradient: 1 adds into it, 0 must ignore its old contents, which the
// suite fills with NaN then.
var gradBetas = []float32{1, 0.5, 0}

// gradStart returns n starting values of a gradient for beta (NaN for
// beta 0) and beta times them, where the reference starts.
func (c *checker) gradStart(n int, beta float32) (start []float32, want []float64) {
	start, want = c.uniform(n, -1, 1), make([]float64, n)
	for i, v := range start {
		if beta == 0 {
			start[i] = float32(math.NaN())
			continue
		}
		want[i] = float64(beta) * float64(v)
	}
	return start, want
}

// wide64 widens float32 values for a float64 reference.
func wide64(s []float32) []float64 {
	w := make([]float64, len(s))
	for i, v := range s {
		w[i] = float64(v)
	}
	return w
}

// elems returns the element count of a shape.
func elems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
