// Package cuda is the GPU device of tensorforge: a tensor.Device that runs
// every operation on an NVIDIA GPU through the CUDA driver API, with the
// kernels of package kernels.
//
// The device exists only in binaries built with -tags cuda (which need the
// CUDA headers and libcuda at build time, and the NVIDIA driver at run
// time); without the tag this package is empty and tensor.Open("cuda")
// reports that CUDA support was not built in. With the tag, importing the
// package registers the device under the name "cuda":
//
//	import _ "github.com/tensorforge/tensorforge/cuda"
//
//	dev, err := tensor.Open("cuda")
//
// or Open gives a device of one's own with options such as ExactGemm.
package cuda
