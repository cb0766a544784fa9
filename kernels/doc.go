// Package kernels holds the CUDA C source of the GPU device's kernels and
// the PTX that nvcc makes of it, embedded so that the cuda package can load
// it at run time. The package is pure Go: the PTX is committed, and only
// someone changing a .cu file needs nvcc, to run
//
//	go generate ./kernels
//
// Each .cu file holds one or a few extern "C" __global__ functions named for
// what they compute; common.cuh holds the helpers they share. The kernels
// take their arguments as 64-bit pointers, long long element counts, and int
// dimensions and float32 scalars, in the order their C signatures list.
package kernels

//go:generate go run ./internal/ptxgen
