// Package nin holds the Network in Network of Dive into Deep Learning (ch.
// 8.3), sized for Fashion-MNIST resized to 224x224, with the book's
// recipe. It has no linear layers: after each ordinary convolution two
// 1x1 convolutions act as a per-pixel MLP, and the last block's ten
// channels, one per class, are averaged over the map into the logits.
// Training, evaluation and prediction are package classify's.
package nin

import (
	"slices"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Input is the shape of one sample: a grey image resized to 224x224, as
// the book trains it.
var Input = []int{1, 224, 224}

// Models lists the network with the book's recipe: SGD at learning rate
// 0.1, batch 128, 10 epochs, as in the release whose LeNet recipes
// package lenet follows (later releases use 0.05). The package only
// reads it, so goroutines may read it at once; each Net call makes a new
// network.
var Models = []classify.Recipe{
	{Name: "nin", Source: "Dive into Deep Learning 8.3", Input: Input, Net: NiN, LR: 0.1, Batch: 128, Epochs: 10, Namings: namings()},
}

// NiN returns the book's network for the given number of classes: four
// NiN blocks of 96, 256, 384 and classes channels (11x11 stride 4, 5x5
// padded 2, 3x3 padded 1 and 3x3 padded 1), 3x3 stride-2 max-pooling
// after the first three, dropout of half before the last, then the mean
// of each channel over the map. The layers stand in one flat list, where
// the book nests each block in an nn.Sequential of its own: a PyTorch
// nn.Sequential of the same layers in the same order loads the
// checkpoints, and the book's own loads them under its names (Namings).
func NiN(classes int) *nn.Sequential {
	return nn.NewSequential(slices.Concat(modules(classes)...)...)
}

// modules returns the entries of the book's nn.Sequential, each as its
// layers: a NiN block's six, or one.
func modules(classes int) [][]nn.Layer {
	pool := func() []nn.Layer { return []nn.Layer{nn.NewMaxPool2d(tensor.Square(3, 2, 0))} }
	return [][]nn.Layer{
		block(96, tensor.Square(11, 4, 0)), pool(),
		block(256, tensor.Square(5, 1, 2)), pool(),
		block(384, tensor.Square(3, 1, 1)), pool(),
		{nn.NewDropout(0.5)},
		block(classes, tensor.Square(3, 1, 1)),
		{nn.NewGlobalAvgPool2d()}, {nn.NewFlatten()},
	}
}

// namings are the book's names for NiN's tensors: its blocks are
// nn.Sequentials (classify.NestedPaths), behind "net." in the current
// release.
func namings() []classify.Naming {
	paths := classify.NestedPaths(modules(1))
	return []classify.Naming{
		{Name: classify.NamingD2L, Prefix: "net.", Modules: paths},
		{Name: classify.NamingD2L017, Modules: paths},
	}
}

// block is a NiN block: a convolution of out channels over window w, then
// two 1x1 convolutions, each followed by a ReLU.
func block(out int, w tensor.Window) []nn.Layer {
	return []nn.Layer{
		nn.NewConv2d(out, w), nn.NewReLU(),
		nn.NewConv2d(out, tensor.Square(1, 1, 0)), nn.NewReLU(),
		nn.NewConv2d(out, tensor.Square(1, 1, 0)), nn.NewReLU(),
	}
}
