// Package vgg holds the VGG-11 of Dive into Deep Learning (ch. 8.2) with
// the book's Fashion-MNIST recipe: five blocks of 3x3 convolutions, each
// followed by a ReLU, and a 2x2 max-pool after each block, with a quarter
// of VGG-11's channels (16, 32, 64, 128, 128) as the book trains it, then
// two hidden linear layers of 4096 with dropout. Training, evaluation and
// prediction are package classify's.
package vgg

import (
	"slices"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Input is the shape of one sample: a grey image resized to 224x224, as
// the book trains it.
var Input = []int{1, 224, 224}

// Arch is VGG-11's convolutions, block by block: how many, and their
// output channels.
var Arch = [][2]int{{1, 64}, {1, 128}, {2, 256}, {2, 512}, {2, 512}}

// Ratio is what the book divides Arch's channels by to train on
// Fashion-MNIST in reasonable time.
const Ratio = 4

// Models lists the network with the book's recipe: SGD at learning rate
// 0.05, batch 128, 10 epochs, as in the release whose recipes the other
// nets follow (later releases use 0.01). The package only reads it, so
// goroutines may read it at once; each Net call makes a new network.
var Models = []classify.Recipe{
	{Name: "vgg11", Source: "Dive into Deep Learning 8.2", Input: Input, Net: Small, LR: 0.05, Batch: 128, Epochs: 10, Namings: namings()},
}

// Small returns the book's network for the given number of classes: VGG-11
// with Arch's channels divided by Ratio. Its layers stand in one flat
// list, where the book nests each block in an nn.Sequential of its own:
// a PyTorch nn.Sequential of the same layers in the same order loads the
// checkpoints, and the book's own loads them under its names (Models'
// Namings).
func Small(classes int) *nn.Sequential {
	return nn.NewSequential(slices.Concat(modules(classes)...)...)
}

// modules returns the entries of the book's nn.Sequential, each as its
// layers: a VGG block's convolutions, ReLUs and pool, or one layer.
func modules(classes int) [][]nn.Layer {
	var entries [][]nn.Layer
	for _, b := range Arch {
		var block []nn.Layer
		for range b[0] {
			block = append(block, nn.NewConv2d(b[1]/Ratio, tensor.Square(3, 1, 1)), nn.NewReLU())
		}
		entries = append(entries, append(block, nn.NewMaxPool2d(tensor.Square(2, 2, 0))))
	}
	for _, l := range []nn.Layer{
		nn.NewFlatten(),
		nn.NewLinear(4096), nn.NewReLU(), nn.NewDropout(0.5),
		nn.NewLinear(4096), nn.NewReLU(), nn.NewDropout(0.5),
		nn.NewLinear(classes),
	} {
		entries = append(entries, []nn.Layer{l})
	}
	return entries
}

// namings are the book's names for the network's tensors: its blocks are
// nn.Sequentials (classify.NestedPaths), behind "net." in the current
// release.
func namings() []classify.Naming {
	paths := classify.NestedPaths(modules(1))
	return []classify.Naming{
		{Name: classify.NamingD2L, Prefix: "net.", Modules: paths},
		{Name: classify.NamingD2L017, Modules: paths},
	}
}
