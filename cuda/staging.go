//go:build cuda

package cuda

import (
	"unsafe"

	"github.com/mumax/3/cuda/cu"
)

// staging is pinned host memory that uploads go through, used as a ring: an
// upload copies its bytes to the next free part and queues an asynchronous
// copy from there, so Write returns without waiting for the GPU. Space is
// reused only after the stream has drained (wait), which is what guarantees
// that no queued copy still reads it.
type staging struct {
	base unsafe.Pointer
	size int64
	used int64 // bytes handed out since the stream last drained
}

// init allocates n bytes of pinned memory. Inside do.
func (s *staging) init(n int64) {
	s.base = cu.MemAllocHost(n)
	s.size = n
}

// drained marks the whole ring free; the stream has run every copy.
func (s *staging) drained() { s.used = 0 }

// upload queues a copy of n host bytes at src to dst on the stream, in
// pieces of at most the ring's size. Inside do.
func (d *Device) upload(dst cu.DevicePtr, src unsafe.Pointer, n int64) {
	s := &d.stage
	for n > 0 {
		k := min(n, s.size)
		if s.used+k > s.size {
			d.wait()
		}
		p := unsafe.Add(s.base, s.used)
		copy(unsafe.Slice((*byte)(p), k), unsafe.Slice((*byte)(src), k))
		cu.MemcpyHtoDAsync(dst, p, k, d.stream)
		s.used += k
		dst += cu.DevicePtr(k)
		src = unsafe.Add(src, k)
		n -= k
	}
}

// HostFloat32s returns n float32s of page-locked host memory, which Read
// fills at the bus's full speed (tensor.HostFloat32s), and the function
// that frees it. Where the driver will not lock that much, the memory is
// ordinary: slower to copy, and the device is not failed for it.
func (d *Device) HostFloat32s(n int) ([]float32, func(), error) {
	var p unsafe.Pointer
	var lockErr error
	d.do("HostFloat32s", func() {
		lockErr = catch("HostFloat32s", func() { p = cu.MemAllocHost(4 * int64(max(n, 1))) })
	})
	if err := d.Err(); err != nil {
		return nil, nil, err
	}
	if lockErr != nil {
		return make([]float32, n), func() {}, nil
	}
	free := func() { d.do("HostFloat32s free", func() { cu.MemFreeHost(p) }) }
	return unsafe.Slice((*float32)(p), n), free, nil
}
