// Package bench measures how fast tensorforge runs: every AlexNet GEMM,
// convolution and max-pool on its own, the whole model's forward pass and
// training step, and each device's arithmetic peak, on every device the
// binary was built with (the CPU always; CUDA with -tags cuda).
//
// The same Cases back two front ends. `go test -bench` in this folder names
// sub-benchmarks with the device last (BenchmarkConv/conv2/forward/b128/cpu
// and .../cuda) and reports GFLOP/s and images/s; to set a CPU run beside a
// GPU run with benchstat, strip the device from the names:
//
//	grep /cpu- out.txt | sed 's,/cpu-,-,' >cpu.txt
//	grep /cuda- out.txt | sed 's,/cuda-,-,' >cuda.txt
//	benchstat cpu.txt cuda.txt
//
// `alexnet bench` (Run) prints one table with the devices side by side, the
// share of each device's measured peak (Peaks) and the GPU's speedup, a
// training step layer by layer (Profile) and a batch-size sweep (Sweep);
// `alexnet compare` (Compare) trains on two devices from one seed. FLOPs
// come from the nn layers' FLOPs methods, the ones the model summary adds
// up. run-gpu.sh runs it all on a GPU machine from binaries built here.
package bench
