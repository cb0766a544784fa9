package nn

import (
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// inception is a small Inception block: a 1x1 convolution, a 1x1 then a
// 3x3, a 1x1 then a 5x5 (each followed by a ReLU), and a 3x3 max-pool
// then a 1x1, the branches' channels out apart.
func inception(c1, c2, c3, c4 int) *Concat {
	conv := func(out, k int) Layer { return NewConv2d(out, tensor.Square(k, 1, k/2)) }
	return NewConcat(
		[]Layer{conv(c1, 1), NewReLU()},
		[]Layer{conv(2, 1), NewReLU(), conv(c2, 3), NewReLU()},
		[]Layer{conv(2, 1), NewReLU(), conv(c3, 5), NewReLU()},
		[]Layer{NewMaxPool2d(tensor.Square(3, 1, 1)), conv(c4, 1), NewReLU()},
	)
}

// TestConcat checks blocks against the float64 reference and central
// differences: an Inception block, a DenseNet-like block whose first
// branch is the identity, and a single branch.
func TestConcat(t *testing.T) {
	t.Run("inception", func(t *testing.T) {
		checkLayer(t, inception(2, 3, 1, 2), 2, []int{3, 6, 5}, Pass{})
	})
	t.Run("identity", func(t *testing.T) {
		c := NewConcat(nil, []Layer{NewConv2d(3, tensor.Square(1, 1, 0)), NewReLU(), NewConv2d(2, tensor.Square(3, 1, 1))})
		checkLayer(t, c, 3, []int{2, 5, 5}, Pass{})
	})
	t.Run("one", func(t *testing.T) {
		checkLayer(t, NewConcat([]Layer{NewConv2d(3, tensor.Square(3, 2, 1))}), 2, []int{2, 7, 7}, Pass{})
	})
}

// inceptionNet is a small GoogLeNet: a stem, two Inception blocks with a
// pool between them, and the global pool.
func inceptionNet() *Sequential {
	return NewSequential(
		NewConv2d(4, tensor.Square(3, 1, 1)), NewReLU(), NewMaxPool2d(tensor.Square(3, 2, 1)),
		inception(2, 3, 1, 2), inception(3, 2, 2, 1), NewMaxPool2d(tensor.Square(3, 2, 1)),
		NewGlobalAvgPool2d(), NewFlatten(), NewLinear(3),
	)
}

// denseNet is a small DenseNet: a stem, a dense block of two layers, each
// concatenating its input with the batch normalisation, ReLU and
// convolution of it, a transition and the global pool.
func denseNet() *Sequential {
	grow := func() *Concat {
		return NewConcat(nil, []Layer{NewBatchNorm2d(), NewReLU(), NewConv2d(2, tensor.Square(3, 1, 1))})
	}
	return NewSequential(
		NewConv2d(3, tensor.Square(3, 1, 1)), grow(), grow(),
		NewBatchNorm2d(), NewReLU(), NewConv2d(3, tensor.Square(1, 1, 0)), NewAvgPool2d(tensor.Square(2, 2, 0)),
		NewGlobalAvgPool2d(), NewFlatten(), NewLinear(3),
	)
}

// TestConcatNetGradients checks a whole training backward of inceptionNet
// and denseNet against central differences, both ways the CPU convolves
// (the direct one folds the branches' ReLUs into their convolutions), and
// inceptionNet in BF16 (denseNet's batch normalisations magnify BF16's
// rounding past what a tolerance can tell from an error, as ResNet's do).
func TestConcatNetGradients(t *testing.T) {
	for _, k := range cpuKinds {
		t.Run("inception/"+k.name, func(t *testing.T) { checkGradients(t, inceptionNet(), k.dev, tensor.FP32, 1e-5, 1e-4) })
		t.Run("dense/"+k.name, func(t *testing.T) { checkGradients(t, denseNet(), k.dev, tensor.FP32, 1e-5, 1e-4) })
	}
	t.Run("inception/bf16", func(t *testing.T) { checkGradients(t, inceptionNet(), tensor.CPU(), tensor.BF16, 1e-2, 3e-2) })
}

// TestConcatNames checks the tensors' names, PyTorch's for an
// nn.ModuleList of nn.Sequentials, and the shape Setup gives.
func TestConcatNames(t *testing.T) {
	net := inceptionNet()
	if out := net.Layers()[3].Setup([]int{4, 5, 5}); !slices.Equal(out, []int{8, 5, 5}) {
		t.Errorf("inception(2, 3, 1, 2) gives %v for [4 5 5], want [8 5 5]", out)
	}
	net.Build(tensor.CPU(), []int{2, 9, 9}, BuildOptions{Seed: 1})
	var names []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	for _, want := range []string{"3.0.0.weight", "3.1.2.bias", "3.2.2.weight", "3.3.1.weight", "4.3.1.bias", "8.weight"} {
		if !slices.Contains(names, want) {
			t.Errorf("no parameter %s among %v", want, names)
		}
	}
}

// TestConcatDiscardGrad checks that after DiscardGrad the branches' layers
// write their gradients, the same bits as ZeroGrad and Backward give, a
// layer that can only add (counter) having its gradient zeroed first.
func TestConcatDiscardGrad(t *testing.T) {
	dev := tensor.CPU()
	newNet := func() *Sequential {
		c := NewConcat([]Layer{NewConv2d(2, tensor.Square(1, 1, 0)), &counter{}}, []Layer{NewConv2d(1, tensor.Square(3, 1, 1)), NewReLU()})
		net := NewSequential(NewConv2d(2, tensor.Square(3, 1, 1)), c, NewFlatten(), NewLinear(3))
		net.Build(dev, []int{2, 5, 5}, BuildOptions{Seed: 3})
		return net
	}
	checkDiscardGrad(t, newNet, tensor.RandUniform(dev, 4, -1, 1, 3, 2, 5, 5), tensor.FromSlice(dev, []int32{0, 2, 1}, 3))
}

// TestConcatRefuses checks the blocks Setup refuses: branches whose
// outputs differ in more than the channels, and a branch that would
// overwrite the input the others read.
func TestConcatRefuses(t *testing.T) {
	for _, tc := range []struct {
		c    *Concat
		want string
	}{
		{NewConcat(nil, []Layer{NewConv2d(4, tensor.Square(3, 2, 1))}), "branch 0 gives [3 5 5] and branch 1 [4 3 3]"},
		{NewConcat(nil, []Layer{NewFlatten()}), "branch 0 gives [3 5 5] and branch 1 [75]"},
		{NewConcat([]Layer{NewConv2d(3, tensor.Square(3, 1, 1))}, []Layer{NewReLU()}), "would overwrite the input"},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, tc.want) {
					t.Errorf("%v: panic %q, want one saying %q", tc.c, r, tc.want)
				}
			}()
			tc.c.Setup([]int{3, 5, 5})
		}()
	}
}
