//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <mpi.h>
#include <stdlib.h>

// The MPI_* handles are macros over OpenMPI's globals, which cgo cannot
// take the address of: these wrappers name them in C.
static int tf_init(int *rank, int *size) {
	int provided, err;
	err = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
	if (err != MPI_SUCCESS) return err;
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	return MPI_Comm_size(MPI_COMM_WORLD, size);
}
static int tf_bcast(float *buf, int n) { return MPI_Bcast(buf, n, MPI_FLOAT, 0, MPI_COMM_WORLD); }
static int tf_sum(float *buf, int n) { return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); }
static void tf_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
static int tf_finalize(void) { return MPI_Finalize(); }
static void tf_error(int code, char *msg) { int n; MPI_Error_string(code, msg, &n); msg[n] = 0; }
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"
)

// World is the processes of the MPI job (MPI_COMM_WORLD). It is safe for
// concurrent use: calls queue for the one thread that talks to MPI.
type World struct {
	rank, size int
	calls      chan func()
	closeOnce  sync.Once
	closeErr   error
}

var (
	joinOnce sync.Once
	world    *World
	joinErr  error
)

// Join initialises MPI, once per process, on an OS thread of its own that
// makes every later call, and returns the world. A process not started by
// mpirun is a world of one.
func Join() (*World, error) {
	joinOnce.Do(func() {
		w := &World{calls: make(chan func())}
		ready := make(chan error)
		go func() {
			runtime.LockOSThread() // MPI_THREAD_FUNNELED: this thread only
			var rank, size C.int
			if code := C.tf_init(&rank, &size); code != C.MPI_SUCCESS {
				ready <- fmt.Errorf("mpi: MPI_Init_thread: %w", mpiError(code))
				return
			}
			w.rank, w.size = int(rank), int(size)
			ready <- nil
			for f := range w.calls {
				f()
			}
		}()
		if joinErr = <-ready; joinErr == nil {
			world = w
		}
	})
	return world, joinErr
}

// do runs f on the MPI thread and waits for it.
func (w *World) do(f func() C.int) C.int {
	done := make(chan C.int)
	w.calls <- func() { done <- f() }
	return <-done
}

// Rank returns this process's index, 0 to Size()-1.
func (w *World) Rank() int { return w.rank }

// Size returns the number of processes.
func (w *World) Size() int { return w.size }

// Broadcast replaces buf on every rank with rank 0's; every rank passes a
// buf of the same length.
func (w *World) Broadcast(buf []float32) error {
	return w.chunks("MPI_Bcast", buf, func(p *C.float, n C.int) C.int { return C.tf_bcast(p, n) })
}

// SumAll replaces buf on every rank with the elementwise sum of every
// rank's buf, in an order MPI fixes for the job (the same on every step).
func (w *World) SumAll(buf []float32) error {
	return w.chunks("MPI_Allreduce", buf, func(p *C.float, n C.int) C.int { return C.tf_sum(p, n) })
}

// chunks runs a collective over buf in pieces that MPI's int counts can
// hold.
func (w *World) chunks(name string, buf []float32, op func(*C.float, C.int) C.int) error {
	for len(buf) > 0 {
		n := min(len(buf), math.MaxInt32)
		p := (*C.float)(unsafe.Pointer(&buf[0]))
		if code := w.do(func() C.int { return op(p, C.int(n)) }); code != C.MPI_SUCCESS {
			return fmt.Errorf("mpi: rank %d: %s: %w", w.rank, name, mpiError(code))
		}
		buf = buf[n:]
	}
	return nil
}

// Abort ends every process of the job with the given exit code: what a
// rank that fails calls, so the others do not wait for it forever.
func (w *World) Abort(code int) {
	w.do(func() C.int { C.tf_abort(C.int(code)); return 0 })
}

// Close finalises MPI; the World is unusable afterwards.
func (w *World) Close() error {
	w.closeOnce.Do(func() {
		if code := w.do(func() C.int { return C.tf_finalize() }); code != C.MPI_SUCCESS {
			w.closeErr = fmt.Errorf("mpi: MPI_Finalize: %w", mpiError(code))
		}
		close(w.calls)
	})
	return w.closeErr
}

// mpiError is MPI's description of an error code.
func mpiError(code C.int) error {
	msg := (*C.char)(C.malloc(C.MPI_MAX_ERROR_STRING + 1))
	defer C.free(unsafe.Pointer(msg))
	C.tf_error(code, msg)
	return fmt.Errorf("%s", C.GoString(msg))
}
