package tensor

import (
	"fmt"
	"math"
)

// cpuStorage is host memory: exactly one of the slices is set.
type cpuStorage struct {
	f []float32
	i []int32
	u []uint8
}

func (s *cpuStorage) Device() Device { return cpuDev }

func (s *cpuStorage) DType() DType {
	switch {
	case s.i != nil:
		return Int32
	case s.u != nil:
		return Uint8
	}
	return Float32
}

func (s *cpuStorage) Len() int { return len(s.f) + len(s.i) + len(s.u) }

// cpuDevice runs every operation on the host, split over the worker pool of
// internal/parallel. Its results do not depend on the number of workers.
type cpuDevice struct{}

var cpuDev Device = cpuDevice{}

// CPU returns the host device.
func CPU() Device { return cpuDev }

func (cpuDevice) Name() string { return "cpu" }

func (cpuDevice) Alloc(dtype DType, n int) Storage {
	switch dtype {
	case Float32:
		return &cpuStorage{f: make([]float32, n)}
	case Int32:
		return &cpuStorage{i: make([]int32, n)}
	case Uint8:
		return &cpuStorage{u: make([]uint8, n)}
	}
	panic(fmt.Sprintf("tensor: Alloc of %v", dtype))
}

// Free leaves host memory to the garbage collector.
func (cpuDevice) Free(Storage) {}

func (cpuDevice) Err() error  { return nil }
func (cpuDevice) Sync() error { return nil }

func (cpuDevice) Write(dst Storage, off int, src any) {
	s := dst.(*cpuStorage)
	switch src := src.(type) {
	case []float32:
		copy(s.f[off:off+len(src)], src)
	case []int32:
		copy(s.i[off:off+len(src)], src)
	case []uint8:
		copy(s.u[off:off+len(src)], src)
	default:
		panic(fmt.Sprintf("tensor: Write of %T", src))
	}
}

func (cpuDevice) Read(dst any, src Storage, off int) error {
	s := src.(*cpuStorage)
	switch dst := dst.(type) {
	case []float32:
		copy(dst, s.f[off:off+len(dst)])
	case []int32:
		copy(dst, s.i[off:off+len(dst)])
	case []uint8:
		copy(dst, s.u[off:off+len(dst)])
	default:
		panic(fmt.Sprintf("tensor: Read into %T", dst))
	}
	return nil
}

// f32 returns the host elements a Float32 tensor views.
func f32(t *Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.st.(*cpuStorage).f[t.off : t.off+t.Len()]
}

// i32 returns the host elements an Int32 tensor views.
func i32(t *Tensor) []int32 { return t.st.(*cpuStorage).i[t.off : t.off+t.Len()] }

// u8 returns the host elements a Uint8 tensor views.
func u8(t *Tensor) []uint8 { return t.st.(*cpuStorage).u[t.off : t.off+t.Len()] }

// elemArgs carries an elementwise operation's operands; each loop reads
// the fields its operation has.
type elemArgs struct {
	x, y, z []float32
	alpha   float32
}

// elementwise runs an n-element loop over the workers in chunks of whole
// cache lines.
func elementwise(l *loop[elemArgs], a elemArgs) { l.For(len(a.x), 4096, a) }

var fillLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs := a.x[lo:hi]
	for i := range xs {
		xs[i] = a.alpha
	}
})

func (cpuDevice) Fill(x *Tensor, v float32) { elementwise(fillLoop, elemArgs{x: f32(x), alpha: v}) }

func (cpuDevice) Copy(dst, src *Tensor) {
	switch dst.DType() {
	case Float32:
		copy(f32(dst), f32(src))
	case Int32:
		copy(i32(dst), i32(src))
	case Uint8:
		copy(u8(dst), u8(src))
	}
}

var axpyLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs, ys := a.x[lo:hi], a.y[lo:hi]
	for i, v := range xs {
		ys[i] += a.alpha * v
	}
})

func (cpuDevice) Axpy(alpha float32, x, y *Tensor) {
	elementwise(axpyLoop, elemArgs{x: f32(x), y: f32(y), alpha: alpha})
}

var scaleLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs := a.x[lo:hi]
	for i := range xs {
		xs[i] *= a.alpha
	}
})

func (cpuDevice) Scale(x *Tensor, alpha float32) {
	elementwise(scaleLoop, elemArgs{x: f32(x), alpha: alpha})
}

// mulLoop computes z = x*y.
var mulLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
	for i, v := range xs {
		zs[i] = v * ys[i]
	}
})

func (cpuDevice) Mul(z, x, y *Tensor) {
	elementwise(mulLoop, elemArgs{x: f32(x), y: f32(y), z: f32(z)})
}

// reluLoop computes y = max(x, 0).
var reluLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs, ys := a.x[lo:hi], a.y[lo:hi]
	for i, v := range xs {
		ys[i] = max(v, 0)
	}
})

func (cpuDevice) ReLU(y, x *Tensor) { elementwise(reluLoop, elemArgs{x: f32(x), y: f32(y)}) }

// reluGradLoop computes z = y where x > 0, else 0 (x the ReLU's output, y
// the incoming gradient, z the outgoing one). Half of a ReLU's outputs are
// 0 in no predictable pattern, so it masks y's bits rather than branch.
var reluGradLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
	for i, v := range xs {
		keep := -uint32(b2u(v > 0))
		zs[i] = math.Float32frombits(math.Float32bits(ys[i]) & keep)
	}
})

func (cpuDevice) ReLUGrad(dx, dy, y *Tensor) {
	elementwise(reluGradLoop, elemArgs{x: f32(y), y: f32(dy), z: f32(dx)})
}
