//go:build cuda

package cuda

import (
	"errors"

	"github.com/tensorforge/tensorforge/tensor"
)

// Operations whose kernels are still being written; each records an error
// so a program using one fails cleanly instead of computing nothing.

var errPending = errors.New("not implemented yet on the GPU")

func (d *Device) notYet(op string) { d.do(op, func() { panic(errPending) }) }

// Gemm is not implemented yet.
func (d *Device) Gemm(g *tensor.GemmArgs) { d.notYet("Gemm") }

// Im2col is not implemented yet.
func (d *Device) Im2col(cols, x *tensor.Tensor, w tensor.Window) { d.notYet("Im2col") }

// Col2im is not implemented yet.
func (d *Device) Col2im(dx, cols *tensor.Tensor, w tensor.Window) { d.notYet("Col2im") }

// BiasAdd is not implemented yet.
func (d *Device) BiasAdd(y, b *tensor.Tensor) { d.notYet("BiasAdd") }

// BiasGrad is not implemented yet.
func (d *Device) BiasGrad(db, dy *tensor.Tensor) { d.notYet("BiasGrad") }

// MaxPool is not implemented yet.
func (d *Device) MaxPool(y, argmax, x *tensor.Tensor, w tensor.Window) { d.notYet("MaxPool") }

// MaxPoolGrad is not implemented yet.
func (d *Device) MaxPoolGrad(dx, dy, argmax *tensor.Tensor) { d.notYet("MaxPoolGrad") }

// Dropout is not implemented yet.
func (d *Device) Dropout(y, mask, x *tensor.Tensor, p float32, seed uint64) { d.notYet("Dropout") }

// SoftmaxCrossEntropy is not implemented yet.
func (d *Device) SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels *tensor.Tensor) {
	d.notYet("SoftmaxCrossEntropy")
}

// SGD is not implemented yet.
func (d *Device) SGD(params, grads, velocity *tensor.Tensor, o tensor.SGDOptions) { d.notYet("SGD") }

// Resize is not implemented yet.
func (d *Device) Resize(dst, src *tensor.Tensor) { d.notYet("Resize") }

var _ tensor.Device = (*Device)(nil)
