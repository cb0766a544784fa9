package nn

import (
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// TestResidual checks both kinds of block against the float64 reference
// and central differences: the identity shortcut, and a strided body
// beside a 1x1 strided convolution.
func TestResidual(t *testing.T) {
	conv := func(out, k, s, p int) Layer { return NewConv2d(out, tensor.Square(k, s, p)) }
	t.Run("identity", func(t *testing.T) {
		checkLayer(t, NewResidual([]Layer{conv(3, 3, 1, 1), NewReLU(), conv(3, 3, 1, 1)}, nil), 2, []int{3, 5, 5}, Pass{})
	})
	t.Run("projection", func(t *testing.T) {
		r := NewResidual([]Layer{conv(4, 3, 2, 1), NewReLU(), conv(4, 3, 1, 1)}, []Layer{conv(4, 1, 2, 0)})
		checkLayer(t, r, 2, []int{2, 7, 7}, Pass{})
	})
}

// resNet is a small network of ResNet's parts: a stem of convolution,
// batch normalisation (where bn), ReLU and max-pool, an identity block, a
// strided block with a projection, and the global pool.
func resNet(bn bool) *Sequential {
	norm := func() []Layer {
		if bn {
			return []Layer{NewBatchNorm2d()}
		}
		return nil
	}
	conv := func(out, stride int) []Layer {
		return append([]Layer{NewConv2d(out, tensor.Square(3, stride, 1))}, norm()...)
	}
	body := func(out, stride int) []Layer {
		return slices.Concat(conv(out, stride), []Layer{NewReLU()}, conv(out, 1))
	}
	return NewSequential(slices.Concat(
		conv(3, 1), []Layer{NewReLU(), NewMaxPool2d(tensor.Square(3, 1, 1))},
		[]Layer{NewResidual(body(3, 1), nil), NewReLU()},
		[]Layer{NewResidual(body(4, 2), []Layer{NewConv2d(4, tensor.Square(1, 2, 0))}), NewReLU()},
		[]Layer{NewGlobalAvgPool2d(), NewFlatten(), NewLinear(3)},
	)...)
}

// TestResidualNetGradients checks a whole training backward of resNet
// against central differences, both ways the CPU convolves (the direct
// one folds the body's ReLU into the convolution after it), and in BF16
// without the batch normalisations, whose gradients magnify BF16's
// rounding past what a tolerance can tell from an error (as they do
// without residual blocks).
func TestResidualNetGradients(t *testing.T) {
	for _, k := range cpuKinds {
		t.Run(k.name, func(t *testing.T) { checkGradients(t, resNet(true), k.dev, tensor.FP32, 1e-5, 1e-4) })
	}
	t.Run("bf16", func(t *testing.T) { checkGradients(t, resNet(false), tensor.CPU(), tensor.BF16, 1e-2, 3e-2) })
}

// TestResidualNames checks the tensors' names, PyTorch's for a module
// with body and shortcut Sequentials, state included.
func TestResidualNames(t *testing.T) {
	net := resNet(true)
	net.Build(tensor.CPU(), []int{2, 9, 9}, BuildOptions{Seed: 1})
	var names []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	for _, want := range []string{"4.body.0.weight", "4.body.1.bias", "4.body.3.weight", "6.shortcut.0.weight", "10.weight"} {
		if !slices.Contains(names, want) {
			t.Errorf("no parameter %s among %v", want, names)
		}
	}
	var state []string
	for _, p := range net.State() {
		state = append(state, p.Name)
	}
	if want := "6.body.4.running_var"; !slices.Contains(state, want) {
		t.Errorf("no state %s among %v", want, state)
	}
}

// TestResidualRefuses checks the blocks Setup refuses: branches of
// different shapes, and a branch that would overwrite the input the other
// reads.
func TestResidualRefuses(t *testing.T) {
	for _, tc := range []struct {
		r    *Residual
		want string
	}{
		{NewResidual([]Layer{NewConv2d(4, tensor.Square(3, 1, 1))}, nil), "[4 5 5] and its shortcut [3 5 5]"},
		{NewResidual([]Layer{NewReLU(), NewConv2d(3, tensor.Square(3, 1, 1))}, nil), "would overwrite the input"},
		{NewResidual([]Layer{NewConv2d(3, tensor.Square(3, 1, 1))}, []Layer{NewFlatten(), NewReLU()}), "would overwrite the input"},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, tc.want) {
					t.Errorf("%v: panic %q, want one saying %q", tc.r, r, tc.want)
				}
			}()
			tc.r.Setup([]int{3, 5, 5})
		}()
	}
}

// TestResidualDiscardGrad checks that after DiscardGrad the branches'
// layers write their gradients, reading nothing of the arena, the same
// bits as ZeroGrad and Backward give, a layer that can only add (counter)
// having its gradient zeroed first; and that the body's ReLU is folded.
func TestResidualDiscardGrad(t *testing.T) {
	dev := tensor.CPU()
	newNet := func() *Sequential {
		body := []Layer{NewConv2d(2, tensor.Square(3, 1, 1)), NewBatchNorm2d(), NewReLU(), NewConv2d(2, tensor.Square(3, 1, 1)), &counter{}}
		net := NewSequential(NewConv2d(2, tensor.Square(3, 1, 1)), NewResidual(body, nil), NewFlatten(), NewLinear(3))
		net.Build(dev, []int{2, 5, 5}, BuildOptions{Seed: 3})
		return net
	}
	checkDiscardGrad(t, newNet, tensor.RandUniform(dev, 4, -1, 1, 3, 2, 5, 5), tensor.FromSlice(dev, []int32{0, 2, 1}, 3))
	r := newNet().Layers()[1].(*Residual)
	if !r.layers[0][2].(*ReLU).passed || !r.layers[0][3].(*Conv2d).masked {
		t.Error("the body's ReLU is not folded into the convolution after it")
	}
}
