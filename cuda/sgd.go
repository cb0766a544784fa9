//go:build cuda

package cuda

import (
	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// SGD updates params in place, in one launch over all of them, as
// torch.optim.SGD does. Without momentum the velocity is not touched.
func (d *Device) SGD(params, grads, velocity *tensor.Tensor, o tensor.SGDOptions) {
	var v cu.DevicePtr
	if o.Momentum != 0 {
		v = d.ptr(velocity)
	}
	d.elementwise("SGD", "sgd_f32", params.Len(), d.ptr(params), d.ptr(grads), v, o.LR, o.Momentum, o.WeightDecay)
}
