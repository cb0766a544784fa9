//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run -C _gen . -out ../kernel_amd64.s

// kernelAVX512 computes a 12x32 tile with 24 zmm accumulators, taking A's
// elements by embedded broadcast so no register is spent on them.
//
//go:noescape
func kernelAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

// kernelAVX2 computes a 6x16 tile with 12 ymm accumulators.
//
//go:noescape
func kernelAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32)

// asmKernels returns the assembly kernels this CPU supports, fastest first.
func asmKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ {
		ks = append(ks, asmKernel("avx512", 12, 32, kernelAVX512))
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, asmKernel("avx2", 6, 16, kernelAVX2))
	}
	return ks
}

// asmKernel wraps an assembly kernel, checking the bounds the assembly
// cannot.
func asmKernel(name string, mr, nr int, fn func(k int, a, b, c *float32, ldc int, alpha, beta float32)) *kernel {
	return &kernel{name: name, mr: mr, nr: nr, run: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		_, _, _ = a[mr*k-1], b[nr*k-1], c[(mr-1)*ldc+nr-1]
		fn(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	}}
}
