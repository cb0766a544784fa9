// Package densenet holds the DenseNet of Dive into Deep Learning (ch.
// 8.7), sized for Fashion-MNIST resized to 96x96, with the book's recipe:
// ResNet's stem (a 7x7 stride-2 convolution, batch normalisation, ReLU and
// a 3x3 stride-2 max-pool), four dense blocks of four convolution blocks
// each, a transition block after each of the first three, then batch
// normalisation, ReLU, the mean of each channel over the map and a linear
// layer. A convolution block (batch normalisation, ReLU, a 3x3
// convolution of 32 channels) sees every channel before it in its dense
// block: its output is concatenated to its input (nn.Concat with an
// identity branch). A transition block (batch normalisation, ReLU, a 1x1
// convolution to half the channels, a 2x2 average pool) shrinks both.
// Training, evaluation and prediction are package classify's.
package densenet

import (
	"slices"
	"strconv"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Input is the shape of one sample: a grey image resized to 96x96, as the
// book trains it.
var Input = []int{1, 96, 96}

// The book's sizes: the stem's channels, the channels each convolution
// block adds, and the convolution blocks of each dense block.
const (
	StemChannels = 64
	GrowthRate   = 32
)

// Arch is the number of convolution blocks in each dense block.
var Arch = []int{4, 4, 4, 4}

// Models lists the network with the book's recipe: SGD at learning rate
// 0.1, batch 256, 10 epochs, as in the release whose recipes the other
// nets follow (later releases use lr 0.01, batch 128). The package only
// reads it, so goroutines may read it at once; each Net call makes a new
// network.
var Models = []classify.Recipe{
	{Name: "densenet", Source: "Dive into Deep Learning 8.7", Input: Input, Net: DenseNet, LR: 0.1, Batch: 256, Epochs: 10, Namings: namings()},
}

// DenseNet returns the book's network for the given number of classes.
// Its layers stand in one flat list, each convolution block one
// nn.Concat of the identity and the block's layers, where the book nests
// the stem, the dense blocks and the transition blocks in modules of
// their own: a PyTorch nn.Sequential of the same layers in the same order
// (a convolution block as an nn.ModuleList of an empty nn.Sequential and
// one of its layers) loads the checkpoints, and the book's own loads them
// under its names (Models' Namings).
func DenseNet(classes int) *nn.Sequential {
	return nn.NewSequential(slices.Concat(modules(classes)...)...)
}

// modules returns the entries of the book's nn.Sequential in release
// 0.17, each as its layers: the stem, each dense block (its convolution
// blocks) and transition block, then the head's layers one an entry.
func modules(classes int) [][]nn.Layer {
	entries := [][]nn.Layer{{
		nn.NewConv2d(StemChannels, tensor.Square(7, 2, 3)), nn.NewBatchNorm2d(), nn.NewReLU(),
		nn.NewMaxPool2d(tensor.Square(3, 2, 1)),
	}}
	channels := StemChannels
	for i, convs := range Arch {
		var dense []nn.Layer
		for range convs {
			dense = append(dense, nn.NewConcat(nil, []nn.Layer{
				nn.NewBatchNorm2d(), nn.NewReLU(), nn.NewConv2d(GrowthRate, tensor.Square(3, 1, 1)),
			}))
		}
		entries = append(entries, dense)
		channels += convs * GrowthRate
		if i < len(Arch)-1 {
			channels /= 2
			entries = append(entries, []nn.Layer{
				nn.NewBatchNorm2d(), nn.NewReLU(), nn.NewConv2d(channels, tensor.Square(1, 1, 0)),
				nn.NewAvgPool2d(tensor.Square(2, 2, 0)),
			})
		}
	}
	for _, l := range []nn.Layer{nn.NewBatchNorm2d(), nn.NewReLU(), nn.NewGlobalAvgPool2d(), nn.NewFlatten(), nn.NewLinear(classes)} {
		entries = append(entries, []nn.Layer{l})
	}
	return entries
}

// namings are the book's names for DenseNet's tensors. A dense block
// keeps its convolution blocks, nn.Sequentials, in a field called net, so
// convolution block j of the dense block at entry i is "i.net.j" and its
// layers are that block's. Release 0.17 numbers the entries; the current
// release, behind "net.", names them: the stem 0, dense_blk1..4,
// tran_blk1..3, and the head last.0-4.
func namings() []classify.Naming {
	entries := modules(1)
	paths := func(name func(i int) string) map[string]string {
		m := map[string]string{}
		flat := 0
		for i, entry := range entries {
			for j, l := range entry {
				at := strconv.Itoa(flat)
				switch {
				case isConvBlock(l):
					m[at+".1"] = name(i) + ".net." + strconv.Itoa(j)
				case len(entry) == 1:
					m[at] = name(i)
				default:
					m[at] = name(i) + "." + strconv.Itoa(j)
				}
				flat++
			}
		}
		return m
	}
	heads := len(entries) - 5 // the first of the head's entries
	current := func(i int) string {
		switch {
		case i == 0:
			return "0"
		case i >= heads:
			return "last." + strconv.Itoa(i-heads)
		case i%2 == 1:
			return "dense_blk" + strconv.Itoa(i/2+1)
		}
		return "tran_blk" + strconv.Itoa(i/2)
	}
	return []classify.Naming{
		{Name: classify.NamingD2L, Prefix: "net.", Modules: paths(current)},
		{Name: classify.NamingD2L017, Modules: paths(strconv.Itoa)},
	}
}

// isConvBlock reports whether l is one of modules' convolution blocks.
func isConvBlock(l nn.Layer) bool {
	_, ok := l.(*nn.Concat)
	return ok
}
