//go:build cuda

package cuda

// Driver calls that mumax's cu package does not wrap.

/*
#cgo CFLAGS: -I/usr/local/cuda/include
#cgo LDFLAGS: -L/usr/local/cuda/lib64/stubs -lcuda
#include <stdint.h>
#include <cuda.h>

static CUresult setMaxDynamicShared(uintptr_t f, int bytes)
{
	return cuFuncSetAttribute((CUfunction)f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
}
*/
import "C"

import "github.com/mumax/3/cuda/cu"

// defaultSharedBytes is the dynamic shared memory any kernel may use
// without asking; beyond it the driver wants the kernel's consent first.
const defaultSharedBytes = 48 << 10

// allowShared lets kernel f take up to n bytes of dynamic shared memory
// per block. It panics with the driver's cu.Result on failure, as the cu
// package does, for do to record.
func allowShared(f cu.Function, n int) {
	if r := cu.Result(C.setMaxDynamicShared(C.uintptr_t(f), C.int(n))); r != cu.SUCCESS {
		panic(r)
	}
}
