//go:build !amd64 || purego

package gemm

// asmKernels returns no kernels: this build has only the pure-Go one.
func asmKernels() []*kernel { return nil }

// asmBF16Kernels returns no kernels: this build has only the pure-Go one.
func asmBF16Kernels() []*kernel { return nil }
