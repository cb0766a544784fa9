//go:build cuda

package cuda

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// buffer is device memory from the pool: the Storage of the CUDA device.
type buffer struct {
	dev   *Device
	ptr   cu.DevicePtr // 0 when empty, freed, or the allocation failed
	class int64        // bytes held from the pool
	dtype tensor.DType
	n     int
}

func (b *buffer) Device() tensor.Device { return b.dev }
func (b *buffer) DType() tensor.DType   { return b.dtype }
func (b *buffer) Len() int              { return b.n }

// Alloc returns zeroed device memory for n elements of dtype from the pool.
// On failure, such as out of memory, the device records the error and the
// returned storage has no memory; operations ignore it, as they ignore
// everything once the device has failed.
func (d *Device) Alloc(dtype tensor.DType, n int) tensor.Storage {
	b := &buffer{dev: d, dtype: dtype, n: n}
	size := int64(dtype.Size())
	if n < 0 || int64(n) > (1<<62)/size {
		panic(fmt.Sprintf("cuda: Alloc of %d elements of %v", n, dtype))
	}
	if n == 0 {
		return b
	}
	d.do("Alloc", func() {
		bytes := int64(n) * size
		b.ptr, b.class = d.alloc(bytes)
		cu.MemsetD8Async(b.ptr, 0, bytes, d.stream)
	})
	return b
}

// Free returns st's memory to the pool; freeing it twice does nothing.
func (d *Device) Free(st tensor.Storage) {
	b := d.buffer(st)
	d.do("Free", func() {
		if b.ptr != 0 {
			d.release(b.ptr, b.class)
			b.ptr, b.class = 0, 0
		}
	})
}

// buffer returns st as this device's storage, panicking when it is not.
func (d *Device) buffer(st tensor.Storage) *buffer {
	b, ok := st.(*buffer)
	if !ok || b.dev != d {
		panic(fmt.Sprintf("cuda: storage of device %s used on another device", st.Device().Name()))
	}
	return b
}

// hostBytes returns the address and byte length of a host slice, which
// must have the storage's dtype and fit at element off.
func hostBytes(op string, b *buffer, off int, s any) (unsafe.Pointer, int64) {
	var p unsafe.Pointer
	var n int
	var dt tensor.DType
	switch s := s.(type) {
	case []float32:
		p, n, dt = unsafe.Pointer(unsafe.SliceData(s)), len(s), tensor.Float32
	case []int32:
		p, n, dt = unsafe.Pointer(unsafe.SliceData(s)), len(s), tensor.Int32
	case []uint8:
		p, n, dt = unsafe.Pointer(unsafe.SliceData(s)), len(s), tensor.Uint8
	case []uint16:
		p, n, dt = unsafe.Pointer(unsafe.SliceData(s)), len(s), tensor.BFloat16
	default:
		panic(fmt.Sprintf("cuda: %s of %T", op, s))
	}
	if dt != b.dtype || off < 0 || off+n > b.n {
		panic(fmt.Sprintf("cuda: %s of %d %v at offset %d with a storage of %d %v", op, n, dt, off, b.n, b.dtype))
	}
	return p, int64(n) * int64(dt.Size())
}

// Write copies a host slice into dst at element off through the pinned
// staging buffer. It returns once the slice has been copied there, before
// the transfer to the GPU has run.
func (d *Device) Write(dst tensor.Storage, off int, src any) {
	b := d.buffer(dst)
	p, n := hostBytes("Write", b, off, src)
	if n == 0 {
		return
	}
	d.do("Write", func() {
		d.upload(b.ptr+cu.DevicePtr(int64(off)*int64(b.dtype.Size())), p, n)
	})
	runtime.KeepAlive(src)
}

// Read waits for queued work, then copies elements of src from element off
// into the host slice dst, and returns the device's error. dst is left as
// it was when the device has failed.
func (d *Device) Read(dst any, src tensor.Storage, off int) error {
	b := d.buffer(src)
	p, n := hostBytes("Read", b, off, dst)
	d.do("Read", func() {
		d.wait()
		if n > 0 {
			cu.MemcpyDtoH(p, b.ptr+cu.DevicePtr(int64(off)*int64(b.dtype.Size())), n)
		}
	})
	runtime.KeepAlive(dst)
	return d.Err()
}
