package tensor

import (
	"fmt"
	"math"
	"os"

	"github.com/tensorforge/tensorforge/internal/parallel"
)

// cpuStorage is host memory: exactly one of the slices is set.
type cpuStorage struct {
	dev *cpuDevice
	f   []float32
	i   []int32
	u   []uint8
	h   []uint16 // bfloat16s
}

func (s *cpuStorage) Device() Device { return s.dev }

func (s *cpuStorage) DType() DType {
	switch {
	case s.i != nil:
		return Int32
	case s.u != nil:
		return Uint8
	case s.h != nil:
		return BFloat16
	}
	return Float32
}

func (s *cpuStorage) Len() int { return len(s.f) + len(s.i) + len(s.u) + len(s.h) }

// cpuDevice runs every operation on the host, split over the process's
// worker goroutines (internal/parallel's), at most workers of them at a
// time (0: the process default, GOMAXPROCS). Its results do not depend on
// the number of workers. It holds no mutable state, so it is safe for
// concurrent use by operations on different tensors.
type cpuDevice struct {
	workers int
	im2col  bool // convolutions through Im2col and Gemm (CPUIm2colConv)
}

var cpuDev = &cpuDevice{}

// CPU returns the host device, whose operations use as many worker threads
// as the process has (GOMAXPROCS), the default.
func CPU() Device { return cpuDev }

// CPUOption sets up a device NewCPU returns.
type CPUOption func(*cpuDevice)

// CPUIm2colConv makes a CPU device leave its direct (implicit-GEMM)
// convolution off, so that nn computes convolutions through Im2col and
// Gemm, as on a device without one: for comparing the two.
func CPUIm2colConv() CPUOption { return func(d *cpuDevice) { d.im2col = true } }

// NewCPU returns a host device whose operations use at most workers
// threads; workers < 1 means the default. Programs that run several models
// side by side give each its own count. Tensors of different CPU devices
// cannot be mixed in one operation (each panics, as across any two
// devices), although all live in the same memory.
func NewCPU(workers int, opts ...CPUOption) Device {
	d := &cpuDevice{workers: max(workers, 0)}
	for _, o := range opts {
		o(d)
	}
	return d
}

// CPUConvEnv names the environment variable that sets how the devices of
// OpenCPU (and so Open("cpu")) compute convolutions: "direct" (the
// default) or "im2col" (see CPUIm2colConv).
const CPUConvEnv = "TENSORFORGE_CPU_CONV"

// OpenCPU is NewCPU with the options the environment asks for
// (CPUConvEnv), or an error that names a value it does not know.
func OpenCPU(workers int) (Device, error) {
	switch v := os.Getenv(CPUConvEnv); v {
	case "", "direct":
		if workers < 1 {
			return CPU(), nil
		}
		return NewCPU(workers), nil
	case "im2col":
		return NewCPU(workers, CPUIm2colConv()), nil
	default:
		return nil, fmt.Errorf("%s=%q: want direct or im2col", CPUConvEnv, v)
	}
}

// CPUWorkers returns how many threads a CPU device's operations use, and
// false for another kind of device.
func CPUWorkers(dev Device) (int, bool) {
	d, ok := dev.(*cpuDevice)
	if !ok {
		return 0, false
	}
	if d.workers > 0 {
		return d.workers, true
	}
	return parallel.Workers(), true
}

func (*cpuDevice) Name() string { return "cpu" }

func (d *cpuDevice) Alloc(dtype DType, n int) Storage {
	switch dtype {
	case Float32:
		return &cpuStorage{dev: d, f: make([]float32, n)}
	case Int32:
		return &cpuStorage{dev: d, i: make([]int32, n)}
	case Uint8:
		return &cpuStorage{dev: d, u: make([]uint8, n)}
	case BFloat16:
		return &cpuStorage{dev: d, h: make([]uint16, n)}
	}
	panic(fmt.Sprintf("tensor: Alloc of %v", dtype))
}

// Free leaves host memory to the garbage collector.
func (d *cpuDevice) Free(Storage) {}

func (d *cpuDevice) Err() error  { return nil }
func (d *cpuDevice) Sync() error { return nil }

func (d *cpuDevice) Write(dst Storage, off int, src any) {
	s := dst.(*cpuStorage)
	switch src := src.(type) {
	case []float32:
		copy(s.f[off:off+len(src)], src)
	case []int32:
		copy(s.i[off:off+len(src)], src)
	case []uint8:
		copy(s.u[off:off+len(src)], src)
	case []uint16:
		copy(s.h[off:off+len(src)], src)
	default:
		panic(fmt.Sprintf("tensor: Write of %T", src))
	}
}

func (d *cpuDevice) Read(dst any, src Storage, off int) error {
	s := src.(*cpuStorage)
	switch dst := dst.(type) {
	case []float32:
		copy(dst, s.f[off:off+len(dst)])
	case []int32:
		copy(dst, s.i[off:off+len(dst)])
	case []uint8:
		copy(dst, s.u[off:off+len(dst)])
	case []uint16:
		copy(dst, s.h[off:off+len(dst)])
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

// b16 returns the host elements a BFloat16 tensor views.
func b16(t *Tensor) []uint16 { return t.st.(*cpuStorage).h[t.off : t.off+t.Len()] }

// activation is the elements of a tensor that may be stored in bfloat16
// (see BF16Activations): f for a Float32 one, h for a BFloat16 one.
type activation struct {
	f []float32
	h []uint16
}

// activationOf returns t's elements.
func activationOf(t *Tensor) activation {
	if t.DType() == BFloat16 {
		return activation{h: b16(t)}
	}
	return activation{f: f32(t)}
}

// mask zeroes z where elements [lo, lo+len(z)) of a, a ReLU's output, are
// not positive: reluMask of z through them.
func (a activation) mask(z []float32, lo int) {
	if a.h != nil {
		reluMask(z, z, a.h[lo:][:len(z)])
		return
	}
	reluMask(z, z, a.f[lo:][:len(z)])
}

// StoresBF16 implements BF16Activations: the CPU computes on them.
func (d *cpuDevice) StoresBF16() bool { return true }

// elemArgs carries an elementwise operation's operands; each loop reads
// the fields its operation has.
type elemArgs struct {
	x, y, z []float32
	alpha   float32
}

// elementwise runs an n-element loop over the workers in chunks of whole
// cache lines.
func (d *cpuDevice) elementwise(l *loop[elemArgs], a elemArgs) { l.For(d.workers, len(a.x), 4096, a) }

var fillLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs := a.x[lo:hi]
	if math.Float32bits(a.alpha) == 0 {
		// The runtime's clear is vectorized, the loop is not: a model's
		// gradients are zeroed every step.
		clear(xs)
		return
	}
	for i := range xs {
		xs[i] = a.alpha
	}
})

func (d *cpuDevice) Fill(x *Tensor, v float32) {
	d.elementwise(fillLoop, elemArgs{x: f32(x), alpha: v})
}

func (d *cpuDevice) Copy(dst, src *Tensor) {
	switch dst.DType() {
	case Float32:
		copy(f32(dst), f32(src))
	case Int32:
		copy(i32(dst), i32(src))
	case Uint8:
		copy(u8(dst), u8(src))
	case BFloat16:
		copy(b16(dst), b16(src))
	}
}

func (d *cpuDevice) CopyBlocks(dst, src *Tensor, b Blocks) {
	to, from := f32(dst), f32(src)
	for i := range b.Count {
		copy(to[b.DstOff+i*b.DstStride:][:b.Len], from[b.SrcOff+i*b.SrcStride:][:b.Len])
	}
}

var axpyLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs, ys := a.x[lo:hi], a.y[lo:hi]
	for i, v := range xs {
		ys[i] += a.alpha * v
	}
})

func (d *cpuDevice) Axpy(alpha float32, x, y *Tensor) {
	d.elementwise(axpyLoop, elemArgs{x: f32(x), y: f32(y), alpha: alpha})
}

var scaleLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs := a.x[lo:hi]
	for i := range xs {
		xs[i] *= a.alpha
	}
})

func (d *cpuDevice) Scale(x *Tensor, alpha float32) {
	d.elementwise(scaleLoop, elemArgs{x: f32(x), alpha: alpha})
}

// reluLoop computes y = relu(x), through addBias, whose vector code
// takes a ReLU's signs without branching on them: the scalar loop, half
// its branches mispredicted, took 5.5% of ResNet-18's training step on
// Zen 4. The layers run it in place; elsewhere x is copied to y first.
var reluLoop = newLoop(func(a *elemArgs, lo, hi int) {
	xs, ys := a.x[lo:hi], a.y[lo:hi]
	if len(ys) == 0 {
		return
	}
	if &xs[0] != &ys[0] {
		copy(ys, xs)
	}
	addBias(ys, 0, true)
})

// relu returns v where it is positive or NaN, else +0: max(v, 0), with a
// NaN kept as it is (Go's max clears its sign), as the assembly of the
// convolution's epilogue computes it (see addBias).
func relu(v float32) float32 {
	if v > 0 || v != v {
		return v
	}
	return 0
}

func (d *cpuDevice) ReLU(y, x *Tensor) { d.elementwise(reluLoop, elemArgs{x: f32(x), y: f32(y)}) }

// reluGradLoop computes z = y where x > 0, else 0 (x the ReLU's output, y
// the incoming gradient, z the outgoing one).
var reluGradLoop = newLoop(func(a *elemArgs, lo, hi int) {
	reluMask(a.z[lo:hi], a.y[lo:hi], a.x[lo:hi])
})

// reluMask writes z = y where x > 0, else 0 (a NaN in x too): the
// gradient through a ReLU whose output is x, float32 or bfloat16 bits (of
// which those in (0, 0x7f80], sign clear and not zero or NaN, are
// positive). Half of a ReLU's outputs are 0 in no predictable pattern, so
// it masks y's bits rather than branch. z may alias y.
func reluMask[E float32 | uint16](z, y []float32, x []E) {
	y, z = y[:len(x)], z[:len(x)]
	switch x := any(x).(type) {
	case []float32:
		reluMaskF32(z, y, x)
	case []uint16:
		reluMaskBF16(z, y, x)
	}
}

// reluMaskF32 and reluMaskBF16 are reluMask's loops on slices of one
// length, or the assembly that replaces them where the CPU has AVX-512.
var (
	reluMaskF32 = func(z, y, x []float32) {
		for i, v := range x {
			z[i] = math.Float32frombits(math.Float32bits(y[i]) & keep(v))
		}
	}
	reluMaskBF16 = func(z, y []float32, x []uint16) {
		for i, h := range x {
			z[i] = math.Float32frombits(math.Float32bits(y[i]) & keepBF16(h))
		}
	}
)

// keep returns all ones where v > 0, else 0 (a NaN too): the bits of a
// gradient that a ReLU whose output is v lets through.
func keep(v float32) uint32 { return -uint32(b2u(v > 0)) }

// keepBF16 is keep of a bfloat16 value: positive where its bits are in
// (0, 0x7f80], sign clear and not zero or NaN.
func keepBF16(h uint16) uint32 { return -uint32(b2u(h-1 < 0x7f80)) }

func (d *cpuDevice) ReLUGrad(dx, dy, y *Tensor) {
	d.elementwise(reluGradLoop, elemArgs{x: f32(y), y: f32(dy), z: f32(dx)})
}
