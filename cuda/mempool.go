//go:build cuda

package cuda

import (
	"math/bits"

	"github.com/mumax/3/cuda/cu"
)

// pool caches device memory in size classes, so that a training step,
// which frees and allocates the same sizes each time, calls the driver only
// in its first step. Reusing a block at once is safe because all work runs
// on one stream in order: whatever used the block before is queued ahead of
// whatever uses it next. Its methods run inside do.
type pool struct {
	free   map[int64][]cu.DevicePtr // cached blocks by class size
	cached int64                    // bytes in free
	inUse  int64                    // bytes handed out and not yet released
	peak   int64                    // high-water mark of inUse
}

func (p *pool) init() { p.free = map[int64][]cu.DevicePtr{} }

// minClass is the smallest block; the driver aligns every block to 256
// bytes anyway.
const minClass = 512

// classOf rounds n bytes up to its size class: a multiple of an eighth of
// the power of two at or below n, so a block wastes at most 12.5%.
func classOf(n int64) int64 {
	if n <= minClass {
		return minClass
	}
	step := int64(1) << (63 - bits.LeadingZeros64(uint64(n)) - 3)
	return (n + step - 1) / step * step
}

// alloc returns a block of at least n bytes and its class size. When the
// driver is out of memory it synchronises, returns every cached block and
// tries once more before panicking with an *OutOfMemoryError.
func (d *Device) alloc(n int64) (cu.DevicePtr, int64) {
	p := &d.pool
	c := classOf(n)
	if list := p.free[c]; len(list) > 0 {
		ptr := list[len(list)-1]
		p.free[c] = list[:len(list)-1]
		p.cached -= c
		p.take(c)
		return ptr, c
	}
	ptr := d.fresh(c, n)
	p.take(c)
	return ptr, c
}

// fresh asks the driver for c bytes (asked of them by the caller); when it
// is out of memory it gives the pool's cached blocks back and tries once
// more before panicking with an *OutOfMemoryError. Inside do.
func (d *Device) fresh(c, asked int64) cu.DevicePtr {
	ptr, ok := memAlloc(c)
	if !ok && d.pool.cached > 0 {
		d.trim()
		ptr, ok = memAlloc(c)
	}
	if !ok {
		free, total := cu.MemGetInfo()
		panic(&OutOfMemoryError{Asked: asked, Free: free, Total: total})
	}
	return ptr
}

func (p *pool) take(c int64) {
	p.inUse += c
	p.peak = max(p.peak, p.inUse)
}

// release returns a block of class c to the pool.
func (d *Device) release(ptr cu.DevicePtr, c int64) {
	p := &d.pool
	p.free[c] = append(p.free[c], ptr)
	p.cached += c
	p.inUse -= c
}

// trim gives every cached block back to the driver, after the stream has
// finished with them.
func (d *Device) trim() {
	d.wait()
	for c, list := range d.pool.free {
		for _, ptr := range list {
			cu.MemFree(ptr)
		}
		delete(d.pool.free, c)
	}
	d.pool.cached = 0
}

// memAlloc asks the driver for n bytes, reporting out-of-memory as false
// and panicking on any other error.
func memAlloc(n int64) (ptr cu.DevicePtr, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != cu.ERROR_OUT_OF_MEMORY {
				panic(r)
			}
			ok = false
		}
	}()
	return cu.MemAlloc(n), true
}
