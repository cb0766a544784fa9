// Package tensor holds the Tensor type, the Device interface every backend
// implements, the package-level operations that check shapes before calling
// a device, and the CPU device.
package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tensorforge/tensorforge/internal/bf16"
)

// Tensor is a dense, row-major (NCHW for images) view of part of a Storage:
// a shape and an element offset. Views share memory with the tensor they
// come from; nothing is copied until CopyTo or Clone.
type Tensor struct {
	shape []int
	n     int // elements, the product of shape
	st    Storage
	off   int
}

// New returns a zeroed tensor of the given shape on dev.
func New(dev Device, dtype DType, shape ...int) *Tensor {
	n := checkShape(shape)
	return &Tensor{shape: append([]int(nil), shape...), n: n, st: dev.Alloc(dtype, n)}
}

// Zeros returns a zeroed Float32 tensor of the given shape on dev.
func Zeros(dev Device, shape ...int) *Tensor { return New(dev, Float32, shape...) }

// FromSlice returns a tensor on dev holding a copy of data ([]float32,
// []int32, []uint8, or []uint16 for BFloat16) with the given shape; len(data) must equal the
// shape's element count.
func FromSlice(dev Device, data any, shape ...int) *Tensor {
	dt, n, ok := dtypeOf(data)
	if !ok {
		panic(fmt.Sprintf("tensor: FromSlice of %T: want []float32, []int32, []uint8 or []uint16", data))
	}
	if want := checkShape(shape); n != want {
		panic(fmt.Sprintf("tensor: FromSlice: %d elements for shape %v (%d elements)", n, shape, want))
	}
	t := New(dev, dt, shape...)
	dev.Write(t.st, 0, data)
	return t
}

// RandUniform returns a Float32 tensor of values drawn uniformly from
// [lo, hi) as FillUniform draws them. The values are made on the host, so
// every device gets the same numbers for the same seed.
func RandUniform(dev Device, seed uint64, lo, hi float32, shape ...int) *Tensor {
	data := make([]float32, checkShape(shape))
	FillUniform(data, seed, lo, hi)
	return FromSlice(dev, data, shape...)
}

// RandNormal returns a Float32 tensor of normally distributed values with
// the given mean and standard deviation, as FillNormal draws them.
func RandNormal(dev Device, seed uint64, mean, std float32, shape ...int) *Tensor {
	data := make([]float32, checkShape(shape))
	FillNormal(data, seed, mean, std)
	return FromSlice(dev, data, shape...)
}

// FillUniform fills the host slice v with values drawn uniformly from
// [lo, hi) by a PCG generator seeded with seed: the same numbers for the
// same seed on every machine.
func FillUniform(v []float32, seed uint64, lo, hi float32) {
	r := rand.New(rand.NewPCG(seed, 0x7f4a7c159e3779b9))
	for i := range v {
		v[i] = lo + (hi-lo)*r.Float32()
	}
}

// FillNormal fills the host slice v with normally distributed values of the
// given mean and standard deviation, seeded as FillUniform is.
func FillNormal(v []float32, seed uint64, mean, std float32) {
	r := rand.New(rand.NewPCG(seed, 0x94d049bb133111eb))
	for i := range v {
		v[i] = mean + std*float32(r.NormFloat64())
	}
}

// ViewOf returns a tensor of the given shape over st starting at element
// off. Arenas use it to hand out parameter views; it panics if the view
// does not fit.
func ViewOf(st Storage, off int, shape ...int) *Tensor {
	n := checkShape(shape)
	if off < 0 || off+n > st.Len() {
		panic(fmt.Sprintf("tensor: view of %d elements at offset %d does not fit storage of %d", n, off, st.Len()))
	}
	return &Tensor{shape: append([]int(nil), shape...), n: n, st: st, off: off}
}

// MaxElements bounds a tensor's element count so that its size in bytes,
// for any element type up to 8 bytes wide, fits in an int.
const MaxElements = math.MaxInt / 8

// Numel returns the number of elements a shape holds, and false when a
// dimension is negative or the product exceeds MaxElements: a shape read
// from a file or a flag must be checked with it before anything is
// allocated, because a product that wraps around can come out small.
func Numel(shape []int) (n int, ok bool) {
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			return 0, true // however large the others
		}
	}
	n = 1
	for _, d := range shape {
		if n > MaxElements/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// checkShape returns the element count of a shape, panicking on a negative
// dimension or an overflowing product: a programmer error once Numel has
// vetted whatever came from outside.
func checkShape(shape []int) int {
	n, ok := Numel(shape)
	if !ok {
		panic(fmt.Sprintf("tensor: shape %v: a negative dimension, or more than %d elements", shape, MaxElements))
	}
	return n
}

// Shape returns the dimensions; the caller must not modify the slice.
func (t *Tensor) Shape() []int { return t.shape }

// Dim returns dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	return t.shape[i]
}

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Len returns the number of elements.
func (t *Tensor) Len() int { return t.n }

// DType returns the element type.
func (t *Tensor) DType() DType { return t.st.DType() }

// Device returns the device that owns the tensor's memory.
func (t *Tensor) Device() Device { return t.st.Device() }

// Storage returns the memory the tensor views.
func (t *Tensor) Storage() Storage { return t.st }

// Offset returns the element offset of the tensor's first element within
// its Storage.
func (t *Tensor) Offset() int { return t.off }

// Reshape returns a view with a new shape and the same elements; one
// dimension may be -1 and is then inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	out := append([]int(nil), shape...)
	n, infer := 1, -1
	for i, d := range out {
		if d == -1 && infer < 0 {
			infer = i
			continue
		}
		if d < 0 || d > 0 && n > MaxElements/d {
			panic(fmt.Sprintf("tensor: Reshape %v to %v: bad dimension %d", t.shape, out, d))
		}
		n *= d
	}
	if infer >= 0 {
		if n == 0 {
			// Any size would do: the request is ambiguous.
			panic(fmt.Sprintf("tensor: Reshape %v to %v: cannot infer -1 beside a zero dimension", t.shape, out))
		}
		out[infer] = t.Len() / n
		n *= out[infer]
	}
	if n != t.Len() {
		// Name the shape as asked, -1 included, not as inferred.
		panic(fmt.Sprintf("tensor: Reshape %v (%d elements) to %v", t.shape, t.Len(), slices.Clone(shape)))
	}
	return &Tensor{shape: out, n: n, st: t.st, off: t.off}
}

// Slice returns the view of rows [i, j) along the first dimension.
func (t *Tensor) Slice(i, j int) *Tensor {
	if len(t.shape) == 0 || i < 0 || j < i || j > t.shape[0] {
		panic(fmt.Sprintf("tensor: Slice(%d, %d) of shape %v", i, j, t.shape))
	}
	shape := append([]int{j - i}, t.shape[1:]...)
	inner := checkShape(t.shape[1:])
	return &Tensor{shape: shape, n: (j - i) * inner, st: t.st, off: t.off + i*inner}
}

// CopyFrom copies a host slice of the tensor's dtype and length into it.
func (t *Tensor) CopyFrom(src any) {
	dt, n, ok := dtypeOf(src)
	if !ok || dt != t.DType() || n != t.Len() {
		panic(fmt.Sprintf("tensor: CopyFrom %T of length %d into %v tensor %v", src, n, t.DType(), t.shape))
	}
	t.Device().Write(t.st, t.off, src)
}

// CopyTo waits for the device and copies the tensor into a host slice of
// its dtype and length. It returns the device's error, if any.
func (t *Tensor) CopyTo(dst any) error {
	dt, n, ok := dtypeOf(dst)
	if !ok || dt != t.DType() || n != t.Len() {
		panic(fmt.Sprintf("tensor: CopyTo %T of length %d from %v tensor %v", dst, n, t.DType(), t.shape))
	}
	return t.Device().Read(dst, t.st, t.off)
}

// Float32s returns the elements of a Float32 tensor as a new host slice.
func (t *Tensor) Float32s() ([]float32, error) {
	out := make([]float32, t.Len())
	return out, t.CopyTo(out)
}

// Int32s returns the elements of an Int32 tensor as a new host slice.
func (t *Tensor) Int32s() ([]int32, error) {
	out := make([]int32, t.Len())
	return out, t.CopyTo(out)
}

// Clone returns a copy of the tensor in new memory on the same device.
func (t *Tensor) Clone() *Tensor {
	c := New(t.Device(), t.DType(), t.shape...)
	Copy(c, t)
	return c
}

// Free returns the tensor's memory to its device. Only a tensor made by
// New, Zeros, FromSlice, Rand* or Clone owns its memory; views must not be
// freed, and no view of a freed tensor may be used.
func (t *Tensor) Free() { t.Device().Free(t.st) }

// String formats the tensor as its dtype, shape and device followed by its
// values (the first and last three of each dimension when it is longer
// than six).
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor(%v %v on %s)", t.DType(), t.shape, t.Device().Name())
	var vals []float64
	switch t.DType() {
	case Float32:
		v, err := t.Float32s()
		if err != nil {
			return b.String() + " <" + err.Error() + ">"
		}
		for _, x := range v {
			vals = append(vals, float64(x))
		}
	case Int32:
		v, err := t.Int32s()
		if err != nil {
			return b.String() + " <" + err.Error() + ">"
		}
		for _, x := range v {
			vals = append(vals, float64(x))
		}
	case Uint8:
		v := make([]uint8, t.Len())
		if err := t.CopyTo(v); err != nil {
			return b.String() + " <" + err.Error() + ">"
		}
		for _, x := range v {
			vals = append(vals, float64(x))
		}
	case BFloat16:
		v := make([]uint16, t.Len())
		if err := t.CopyTo(v); err != nil {
			return b.String() + " <" + err.Error() + ">"
		}
		for _, x := range v {
			vals = append(vals, float64(bf16.Widen(x)))
		}
	}
	b.WriteByte('\n')
	formatValues(&b, vals, t.shape, 0)
	return b.String()
}

func formatValues(b *strings.Builder, vals []float64, shape []int, indent int) {
	if len(shape) == 0 {
		fmt.Fprintf(b, "%.4g", vals[0])
		return
	}
	inner := checkShape(shape[1:])
	b.WriteByte('[')
	for i := 0; i < shape[0]; i++ {
		if shape[0] > 6 && i == 3 {
			b.WriteString("...")
			i = shape[0] - 3
			sep(b, len(shape), indent)
		}
		formatValues(b, vals[i*inner:(i+1)*inner], shape[1:], indent+1)
		if i < shape[0]-1 {
			sep(b, len(shape), indent)
		}
	}
	b.WriteByte(']')
}

func sep(b *strings.Builder, rank, indent int) {
	if rank == 1 {
		b.WriteString(" ")
		return
	}
	b.WriteString(strings.Repeat("\n", rank-1) + strings.Repeat(" ", indent+1))
}
