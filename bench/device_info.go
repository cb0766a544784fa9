package bench

import (
	"fmt"
	"runtime"

	"github.com/tensorforge/tensorforge/internal/peak"
	"github.com/tensorforge/tensorforge/tensor"
)

// The optional methods a device may have, found by assertion so this file
// needs no build tag. The cuda device has all of them.
type (
	gpuNamer interface{ GPU() string }
	// exactGemmer says whether the device's GEMM is exact FP32 (true) or
	// TF32 (false), which decides the peak its GEMMs are compared with.
	exactGemmer interface{ ExactGemm() bool }
	// memoryPool reports a device pool's bytes in use and their peak.
	memoryPool interface {
		MemoryInUse() int64
		PeakMemory() int64
		ResetPeakMemory()
	}
)

// Describe names the hardware behind dev: the GPU, or the CPU's worker
// count and the probes' instruction sets, FP32's and BF16's (as "avx512,
// bf16 on amx-bf16"), so that runs from different CPUs say so.
func Describe(dev tensor.Device) string {
	if g, ok := dev.(gpuNamer); ok {
		return g.GPU()
	}
	workers, _ := tensor.CPUWorkers(dev)
	isa := peak.ISA()
	if p, ok := peak.BF16(); ok {
		isa += ", bf16 on " + p.Name()
	}
	return fmt.Sprintf("%d workers (%d CPUs), %s, %s/%s", workers, runtime.NumCPU(), isa, runtime.GOOS, runtime.GOARCH)
}

// exactGemm reports whether dev's GEMM computes in exact FP32; devices
// without a choice do.
func exactGemm(dev tensor.Device) bool {
	if e, ok := dev.(exactGemmer); ok {
		return e.ExactGemm()
	}
	return true
}
