// Package lenet holds the LeNet networks of Dive into Deep Learning for
// 28x28 Fashion-MNIST, with the book's training recipes: LeNet-5 with
// sigmoids and average pooling (ch. 7.6), the same network with batch
// normalisation after every convolution and hidden linear layer (ch. 8.5),
// and a variant with ReLU and max-pooling that plain SGD trains faster.
// Training, evaluation and prediction are package classify's.
package lenet

import (
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Input is the shape of one sample: a 28x28 grey image.
var Input = []int{1, 28, 28}

// Models lists the networks with the book's recipes, the book's first.
// Their layer indices are those of the book's nn.Sequential, so their
// checkpoints load into it with load_state_dict; the book's current
// release keeps that nn.Sequential in its model's field net (Namings).
// The package only reads it, so goroutines may read it at once; each Net
// call makes a new network.
var Models = []classify.Recipe{
	{Name: "lenet", Source: "Dive into Deep Learning 7.6", Input: Input, Net: LeNet, LR: 0.9, Batch: 256, Epochs: 10, Namings: namings},
	{Name: "lenet-bn", Source: "Dive into Deep Learning 8.5", Input: Input, Net: BatchNorm, LR: 1.0, Batch: 256, Epochs: 10, Namings: namings},
	{Name: "lenet-relu", Source: "Dive into Deep Learning 7.6, exercises", Input: Input, Net: ReLU, LR: 0.1, Batch: 128, Epochs: 10},
}

// namings are the book's names for the LeNets' tensors: the network's own,
// behind "net." in the current release.
var namings = []classify.Naming{{Name: classify.NamingD2L, Prefix: "net."}, {Name: classify.NamingD2L017}}

// pool is the 2x2, stride-2 window of every LeNet pooling layer.
var pool = tensor.Square(2, 2, 0)

// LeNet returns LeNet-5 as the book writes it (ch. 7.6): two 5x5
// convolutions, the first padded to keep 28x28, each followed by a sigmoid
// and 2x2 average pooling, then linear layers of 120, 84 and classes
// outputs with sigmoids between them.
func LeNet(classes int) *nn.Sequential {
	return lenet5(classes, func() nn.Layer { return nn.NewSigmoid() }, func() nn.Layer { return nn.NewAvgPool2d(pool) })
}

// lenet5 is LeNet-5's layers with the given activation and pooling.
func lenet5(classes int, act, pooling func() nn.Layer) *nn.Sequential {
	return nn.NewSequential(
		nn.NewConv2d(6, tensor.Square(5, 1, 2)), act(), pooling(),
		nn.NewConv2d(16, tensor.Square(5, 1, 0)), act(), pooling(),
		nn.NewFlatten(),
		nn.NewLinear(120), act(),
		nn.NewLinear(84), act(),
		nn.NewLinear(classes),
	)
}

// BatchNorm returns the book's LeNet with batch normalisation (ch. 8.5):
// a BatchNorm2d after each convolution and a BatchNorm1d after each hidden
// linear layer, before the sigmoid. As in the book, the first convolution
// is not padded, so the flattened features are 16x4x4.
func BatchNorm(classes int) *nn.Sequential {
	return nn.NewSequential(
		nn.NewConv2d(6, tensor.Square(5, 1, 0)), nn.NewBatchNorm2d(), nn.NewSigmoid(), nn.NewAvgPool2d(pool),
		nn.NewConv2d(16, tensor.Square(5, 1, 0)), nn.NewBatchNorm2d(), nn.NewSigmoid(), nn.NewAvgPool2d(pool),
		nn.NewFlatten(),
		nn.NewLinear(120), nn.NewBatchNorm1d(), nn.NewSigmoid(),
		nn.NewLinear(84), nn.NewBatchNorm1d(), nn.NewSigmoid(),
		nn.NewLinear(classes),
	)
}

// ReLU returns LeNet-5 with ReLU and max-pooling instead of sigmoids and
// average pooling, the modernisation the book's exercises suggest.
func ReLU(classes int) *nn.Sequential {
	return lenet5(classes, func() nn.Layer { return nn.NewReLU() }, func() nn.Layer { return nn.NewMaxPool2d(pool) })
}
