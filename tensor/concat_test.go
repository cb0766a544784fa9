package tensor_test

import (
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// TestConcatRefuses checks that Concat and Split name both shapes when the
// tensors do not concatenate along axis 1.
func TestConcatRefuses(t *testing.T) {
	dev := tensor.CPU()
	f32 := func(shape ...int) *tensor.Tensor { return tensor.New(dev, tensor.Float32, shape...) }
	y, a, b := f32(2, 5, 3, 3), f32(2, 2, 3, 3), f32(2, 2, 3, 3)
	mustPanic(t, func() { tensor.Concat(y, a, b) }, "have 4 channels", "[2 5 3 3]")
	mustPanic(t, func() { tensor.Split([]*tensor.Tensor{a, f32(2, 3, 3, 4)}, y) }, "xs[1] has shape [2 3 3 4]", "[2 5 3 3]")
	mustPanic(t, func() { tensor.Concat(y, a, f32(1, 3, 3, 3)) }, "xs[1] has shape [1 3 3 3]")
	mustPanic(t, func() { tensor.Concat(y, a, tensor.New(dev, tensor.Int32, 2, 3, 3, 3)) }, "xs[1] is int32")
	mustPanic(t, func() { tensor.Concat(f32(4), a) }, "want rank 2 or more")
}
