// Widening of activations stored in bfloat16, for the products that read
// them (cuda/directconv.go's imageOperand).
#include "common.cuh"

// y = x widened to float32, exactly, over n elements.
extern "C" __global__ void widen_bf16(float *y, const bf16_t *x, long long n)
{
	FOR_EACH(i, n) { y[i] = widen_bf16(x[i]); }
}
