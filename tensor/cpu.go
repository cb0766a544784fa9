package tensor

import (
	"fmt"

	"github.com/tensorforge/tensorforge/internal/parallel"
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

// elementwise splits an n-element loop over the workers in cache-line-sized
// grains.
func elementwise(n int, fn func(lo, hi int)) { parallel.For(n, 4096, fn) }

func (cpuDevice) Fill(x *Tensor, v float32) {
	xs := f32(x)
	elementwise(len(xs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xs[i] = v
		}
	})
}

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

func (cpuDevice) Axpy(alpha float32, x, y *Tensor) {
	xs, ys := f32(x), f32(y)
	elementwise(len(xs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ys[i] += alpha * xs[i]
		}
	})
}

func (cpuDevice) Scale(x *Tensor, alpha float32) {
	xs := f32(x)
	elementwise(len(xs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xs[i] *= alpha
		}
	})
}

func (cpuDevice) Mul(z, x, y *Tensor) {
	zs, xs, ys := f32(z), f32(x), f32(y)
	elementwise(len(zs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			zs[i] = xs[i] * ys[i]
		}
	})
}

func (cpuDevice) ReLU(y, x *Tensor) {
	ys, xs := f32(y), f32(x)
	elementwise(len(ys), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ys[i] = max(xs[i], 0)
		}
	})
}

func (cpuDevice) ReLUGrad(dx, dy, y *Tensor) {
	dxs, dys, ys := f32(dx), f32(dy), f32(y)
	elementwise(len(dxs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if ys[i] > 0 {
				dxs[i] = dys[i]
			} else {
				dxs[i] = 0
			}
		}
	})
}
