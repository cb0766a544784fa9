//go:build !amd64 || purego

package peak

// available lists the kernels this CPU runs: only the portable one.
func available() ([]fmaKernel, *fmaKernel) { return []fmaKernel{goKernel}, nil }
