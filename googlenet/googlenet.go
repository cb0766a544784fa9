// Package googlenet holds the GoogLeNet of Dive into Deep Learning (ch.
// 8.4), sized for Fashion-MNIST resized to 96x96, with the book's recipe:
// a stem of a 7x7 stride-2 convolution and a 1x1 and a 3x3 convolution,
// each stage closed by a 3x3 stride-2 max-pool, then nine Inception blocks
// in three stages (two, five and two), the first two stages closed by a
// max-pool, then the mean of each channel over the map and a linear
// layer. An Inception block runs four branches on its input, a 1x1
// convolution, a 1x1 then a 3x3, a 1x1 then a 5x5, and a 3x3 max-pool
// then a 1x1, each convolution followed by a ReLU, and concatenates their
// channels (nn.Concat). Training, evaluation and prediction are package
// classify's.
package googlenet

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

// Models lists the network with the book's recipe: SGD at learning rate
// 0.1, batch 128, 10 epochs, as in the release whose recipes the other
// nets follow (later releases use 0.01). The package only reads it, so
// goroutines may read it at once; each Net call makes a new network.
var Models = []classify.Recipe{
	{Name: "googlenet", Source: "Dive into Deep Learning 8.4", Input: Input, Net: GoogLeNet, LR: 0.1, Batch: 128, Epochs: 10, Namings: namings()},
}

// Blocks are the Inception blocks' output channels, stage by stage, as the
// book gives them: the 1x1 branch's; the 3x3 branch's reduction and
// output; the 5x5 branch's reduction and output; the pool branch's.
var Blocks = [][][6]int{
	{{64, 96, 128, 16, 32, 32}, {128, 128, 192, 32, 96, 64}},
	{{192, 96, 208, 16, 48, 64}, {160, 112, 224, 24, 64, 64}, {128, 128, 256, 24, 64, 64}, {112, 144, 288, 32, 64, 64}, {256, 160, 320, 32, 128, 128}},
	{{256, 160, 320, 32, 128, 128}, {384, 192, 384, 48, 128, 128}},
}

// GoogLeNet returns the book's network for the given number of classes.
// Its layers stand in one flat list, each Inception block one nn.Concat,
// where the book nests its five stages in nn.Sequentials of their own: a
// PyTorch nn.Sequential of the same layers in the same order (a block as
// an nn.ModuleList of its four branches' nn.Sequentials) loads the
// checkpoints, and the book's own loads them under its names (Models'
// Namings).
func GoogLeNet(classes int) *nn.Sequential {
	return nn.NewSequential(slices.Concat(stages(classes)...)...)
}

// stages returns the entries of the book's nn.Sequential, each as its
// layers: the five stages b1..b5, then the linear layer.
func stages(classes int) [][]nn.Layer {
	conv := func(out, k, stride int) nn.Layer { return nn.NewConv2d(out, tensor.Square(k, stride, k/2)) }
	pool := func() nn.Layer { return nn.NewMaxPool2d(tensor.Square(3, 2, 1)) }
	entries := [][]nn.Layer{
		{conv(64, 7, 2), nn.NewReLU(), pool()},
		{conv(64, 1, 1), nn.NewReLU(), conv(192, 3, 1), nn.NewReLU(), pool()},
	}
	for s, blocks := range Blocks {
		var stage []nn.Layer
		for _, c := range blocks {
			stage = append(stage, inception(c))
		}
		if s < len(Blocks)-1 {
			stage = append(stage, pool())
		} else {
			stage = append(stage, nn.NewGlobalAvgPool2d(), nn.NewFlatten())
		}
		entries = append(entries, stage)
	}
	return append(entries, []nn.Layer{nn.NewLinear(classes)})
}

// inception is the book's Inception block of the given channels (see
// Blocks).
func inception(c [6]int) *nn.Concat {
	conv := func(out, k int) nn.Layer { return nn.NewConv2d(out, tensor.Square(k, 1, k/2)) }
	return nn.NewConcat(
		[]nn.Layer{conv(c[0], 1), nn.NewReLU()},
		[]nn.Layer{conv(c[1], 1), nn.NewReLU(), conv(c[2], 3), nn.NewReLU()},
		[]nn.Layer{conv(c[3], 1), nn.NewReLU(), conv(c[4], 5), nn.NewReLU()},
		[]nn.Layer{nn.NewMaxPool2d(tensor.Square(3, 1, 1)), conv(c[5], 1), nn.NewReLU()},
	)
}

// namings are the book's names for GoogLeNet's tensors. Its nn.Sequential
// holds the five stages as entries 0-4 (classify.NestedPaths) and the
// linear layer as 5; an Inception block names its convolutions by branch
// and place, p1_1, p2_1, p2_2, p3_1, p3_2 and p4_2 in release 0.17 and
// b1_1 ... b4_2 in the current release, which puts "net." in front.
func namings() []classify.Naming {
	entries := stages(1)
	paths := func(branch string) map[string]string {
		m := classify.NestedPaths(entries)
		flat := 0
		for _, entry := range entries {
			for _, l := range entry {
				if _, ok := l.(*nn.Concat); ok {
					block := m[strconv.Itoa(flat)] + "." + branch
					for from, to := range map[string]string{"0.0": "1_1", "1.0": "2_1", "1.2": "2_2", "2.0": "3_1", "2.2": "3_2", "3.1": "4_2"} {
						m[strconv.Itoa(flat)+"."+from] = block + to
					}
				}
				flat++
			}
		}
		return m
	}
	return []classify.Naming{
		{Name: classify.NamingD2L, Prefix: "net.", Modules: paths("b")},
		{Name: classify.NamingD2L017, Modules: paths("p")},
	}
}
