//go:build cuda

package cuda

import (
	"github.com/tensorforge/tensorforge/tensor"
)

// Dropout writes the keep mask of tensor.DropoutKeep, scaled by 1/(1-p),
// and y = x*mask. The scale is computed here in float32, as the CPU does,
// so masks match bit for bit.
func (d *Device) Dropout(y, mask, x *tensor.Tensor, p float32, seed uint64) {
	scale := 1 / (1 - p)
	d.elementwise("Dropout", "dropout_f32", y.Len(), d.ptr(y), d.ptr(mask), d.ptr(x), p, scale, seed)
}
