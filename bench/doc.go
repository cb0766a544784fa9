// Package bench measures how fast tensorforge runs: every AlexNet GEMM,
// convolution and max-pool on its own, the whole model's forward pass and
// training step, and each device's arithmetic peak, on every device the
// binary was built with (the CPU always; CUDA with -tags cuda).
//
// The same Cases back two front ends: `go test -bench` in this folder,
// where sub-benchmarks end in the device's name
// (BenchmarkConv/conv2/forward/b128/cpu and .../cuda) so a CPU run and a GPU
// run line up, and `alexnet bench`, which prints one table with both devices
// side by side, the share of each device's measured peak and the GPU's
// speedup. FLOPs come from the nn layers' FLOPs methods, the same ones the
// model summary prints.
package bench
