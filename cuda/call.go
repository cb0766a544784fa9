//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/mumax/3/cuda/cu"
)

// do runs f as operation op: with the device's lock held, the goroutine
// locked to its OS thread and the context current on that thread, so that f
// may call the driver directly. A panic in f (mumax's cu panics with a
// cu.Result on every CUDA error) becomes the device's sticky error, and once
// there is one, do returns without running f. f must not call methods that
// call do themselves.
func (d *Device) do(op string, f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d.err = catch(op, func() {
		cu.CtxSetCurrent(d.ctx)
		f()
	})
}

// catch runs f and returns as an error whatever it panicked with.
func catch(op string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = asError(op, r)
		}
	}()
	f()
	return nil
}

// Err returns the first error the device recorded, without waiting.
func (d *Device) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Sync waits for all queued work and returns Err.
func (d *Device) Sync() error {
	d.do("Sync", d.wait)
	return d.Err()
}

// wait blocks until the stream has run everything queued on it. Inside do.
func (d *Device) wait() {
	d.stream.Synchronize()
	d.stage.drained()
}

// Error is a failure that the CUDA driver reported.
type Error struct {
	// Op is the operation that failed, e.g. "ReLU" or "Sync". A kernel
	// fault is reported by the first driver call after it, often Sync or
	// Read, not by the launch that caused it.
	Op string
	// Result is the driver's status code.
	Result cu.Result
}

// Error names the operation and the driver status, e.g.
// "cuda: Sync: CUDA_ERROR_LAUNCH_FAILED (719)".
func (e *Error) Error() string {
	return fmt.Sprintf("cuda: %s: %v (%d)", e.Op, e.Result, int(e.Result))
}

// OutOfMemoryError reports an allocation the GPU could not satisfy even
// after the pool returned its cached blocks to the driver.
type OutOfMemoryError struct {
	Op          string
	Asked       int64 // bytes requested
	Free, Total int64 // device memory free and in all, as the driver saw it then
}

// Error names the operation, the bytes asked for and the bytes free.
func (e *OutOfMemoryError) Error() string {
	return fmt.Sprintf("cuda: %s: out of memory: asked for %d bytes (%s) with %d bytes (%s) free of %s",
		e.Op, e.Asked, humanBytes(e.Asked), e.Free, humanBytes(e.Free), humanBytes(e.Total))
}

// errClosed is the sticky error of a closed device.
var errClosed = errors.New("cuda: device is closed")

// asError turns a recovered panic value into the error recorded for op.
func asError(op string, r any) error {
	switch r := r.(type) {
	case cu.Result:
		return &Error{Op: op, Result: r}
	case *OutOfMemoryError:
		r.Op = op
		return r
	case error:
		return fmt.Errorf("cuda: %s: %w", op, r)
	}
	return fmt.Errorf("cuda: %s: %v", op, r)
}

// humanBytes formats n bytes with a binary unit, e.g. "1.5 GiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n)/unit, "KMGTPE"
	i := 0
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, suffix[i])
}
