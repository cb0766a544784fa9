// Helpers shared by every kernel file.
//
// Element counts are 64-bit (long long) so that a tensor of more than 2^31
// elements is walked correctly; dimensions within one image plane stay
// 32-bit ints, which the Go side checks before launching.
#pragma once

// FOR_EACH walks i over [0, n) in a grid-stride loop: each thread starts at
// its global index and steps by the number of threads in the grid, so any
// grid size covers any n and the host may cap the grid.
#define FOR_EACH(i, n)                                                   \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; \
	     i < (n); i += (long long)blockDim.x * gridDim.x)
