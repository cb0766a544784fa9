// The SGD update of torch.optim.SGD (no dampening, no Nesterov) over a
// whole parameter arena in one launch.
#include "common.cuh"

// g = grad + wd*p; with velocity: v = momentum*v + g, p -= lr*v; without
// (v null): p -= lr*g.
extern "C" __global__ void sgd_f32(float *p, const float *grad, float *v, float lr, float momentum,
                                   float wd, long long n)
{
	FOR_EACH(i, n)
	{
		float g = grad[i] + wd * p[i];
		if (v != nullptr) {
			g = momentum * v[i] + g;
			v[i] = g;
		}
		p[i] -= lr * g;
	}
}
