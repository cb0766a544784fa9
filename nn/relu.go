package nn

import "github.com/tensorforge/tensorforge/tensor"

// ReLU is max(x, 0), computed in place: its output replaces its input, as
// PyTorch's ReLU(inplace=True) does, because the layers before it (conv,
// linear, pool) do not need their output for their backward, and a copy
// of AlexNet's first activation alone would be 143 MB at batch 128. Its
// backward reads that output and overwrites dy.
type ReLU struct{ pointwise }

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU {
	return &ReLU{pointwise{kind: "relu", f: tensor.ReLU, grad: tensor.ReLUGrad}}
}

// String implements Layer.
func (*ReLU) String() string { return "ReLU()" }
