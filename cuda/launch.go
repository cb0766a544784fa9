//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// dim3 is a CUDA grid or block shape.
type dim3 struct{ x, y, z int }

// threads is the block size of the elementwise kernels.
const threads = 256

// maxBlocks caps grid-stride grids: enough blocks to fill any current GPU
// many times over, few enough that no launch limit is near.
const maxBlocks = 1 << 20

// gridFor returns the one-dimensional grid of blocks of threads that a
// grid-stride kernel (FOR_EACH in kernels/common.cuh) uses for n elements.
func gridFor(n int64, threads int) dim3 {
	return dim3{int(min((n+int64(threads)-1)/int64(threads), maxBlocks)), 1, 1}
}

// maxArgs bounds the number of arguments of one kernel.
const maxArgs = 32

// launch queues kernel name on the stream with the given grid, block and
// bytes of dynamic shared memory. Inside do. More than 48 KiB of shared
// memory is allowed for the kernel first (once for each larger amount), as
// the driver requires.
//
// Each argument is passed by value in the order of the kernel's C
// signature; allowed are cu.DevicePtr (for T*), int and int64 (for int or
// long long: int only when the value fits), int32, uint64 and float32. A
// launch with another count of arguments than the kernel's parameters is
// a programmer error: it panics rather than let the kernel read a
// parameter that was never passed (TestLaunchArgs checks the launches it
// can read without a GPU). A launch with an empty grid does nothing, so
// operations on empty tensors need no special case.
func (d *Device) launch(name string, grid, block dim3, shared int, args ...any) {
	k, ok := d.kernels[name]
	if !ok {
		panic(fmt.Errorf("no kernel named %s in the embedded PTX", name))
	}
	if len(args) != k.params {
		panic(fmt.Errorf("kernel %s takes %d arguments, launched with %d", name, k.params, len(args)))
	}
	if grid.x == 0 || grid.y == 0 || grid.z == 0 {
		return
	}
	if shared > defaultSharedBytes && shared > d.sharedAllowed[name] {
		allowShared(k.fn, shared)
		d.sharedAllowed[name] = shared
	}
	// The driver reads each parameter from a pointer, as many bytes as the
	// kernel declares; mumax's LaunchKernel copies 8 bytes from each. So
	// every value sits in the low bytes of its own 64-bit slot (the GPU and
	// the host are little-endian).
	if len(args) > maxArgs {
		panic(fmt.Errorf("kernel %s: %d arguments, at most %d", name, len(args), maxArgs))
	}
	var slots [maxArgs]uint64
	var ptrs [maxArgs]unsafe.Pointer
	for i, a := range args {
		switch a := a.(type) {
		case cu.DevicePtr:
			slots[i] = uint64(a)
		case int:
			slots[i] = uint64(a)
		case int64:
			slots[i] = uint64(a)
		case int32:
			slots[i] = uint64(uint32(a))
		case uint64:
			slots[i] = a
		case float32:
			slots[i] = uint64(math.Float32bits(a))
		default:
			panic(fmt.Errorf("kernel %s: argument %d of type %T", name, i, a))
		}
		ptrs[i] = unsafe.Pointer(&slots[i])
	}
	cu.LaunchKernel(k.fn, grid.x, grid.y, grid.z, block.x, block.y, block.z, shared, d.stream, ptrs[:len(args)])
}

// ptr returns the device address of t's first element.
func (d *Device) ptr(t *tensor.Tensor) cu.DevicePtr {
	b := d.buffer(t.Storage())
	return b.ptr + cu.DevicePtr(int64(t.Offset())*int64(b.dtype.Size()))
}

// maybePtr returns ptr(t), or the null pointer for a nil t (a kernel's
// optional operand).
func (d *Device) maybePtr(t *tensor.Tensor) cu.DevicePtr {
	if t == nil {
		return 0
	}
	return d.ptr(t)
}

// checkInt32 panics, inside do, when a dimension that a kernel takes as an
// int does not fit one.
func checkInt32(what string, v int) {
	if v > math.MaxInt32 {
		panic(fmt.Errorf("%s of %d is more than a kernel's int holds", what, v))
	}
}

// elementwise launches a grid-stride kernel over n elements with the
// arguments args (n is appended as the last, long long, argument).
func (d *Device) elementwise(op, kernel string, n int, args ...any) {
	d.do(op, func() {
		d.launch(kernel, gridFor(int64(n), threads), dim3{threads, 1, 1}, 0, append(args, n)...)
	})
}
