// Package resnet holds the ResNet-18 of Dive into Deep Learning (ch. 8.6),
// sized for Fashion-MNIST resized to 96x96, with the book's recipe: a
// stem (7x7 stride-2 convolution, batch normalisation, ReLU, 3x3 stride-2
// max-pool), four stages of two residual blocks of 64, 128, 256 and 512
// channels, the last three halving the map in their first block through a
// strided convolution and a 1x1 projection of the shortcut, then the mean
// of each channel over the map and a linear layer. Training, evaluation
// and prediction are package classify's.
package resnet

import (
	"strconv"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Input is the shape of one sample: a grey image resized to 96x96, as the
// book trains it.
var Input = []int{1, 96, 96}

// Models lists the network with the book's recipe: SGD at learning rate
// 0.05, batch 256, 10 epochs. The package only reads it, so goroutines
// may read it at once; each Net call makes a new network.
var Models = []classify.Recipe{
	{Name: "resnet18", Source: "Dive into Deep Learning 8.6", Input: Input, Net: ResNet18, LR: 0.05, Batch: 256, Epochs: 10, Namings: namings()},
}

// ResNet18 returns the book's network for the given number of classes.
// The stem, the blocks and the head stand in one flat list (each block a
// nn.Residual followed by its ReLU), where the book nests them in
// nn.Sequentials of its own; a block's tensors are named as a PyTorch
// module with body and shortcut nn.Sequentials names them, and the
// book's own tree names them as Models' Namings say.
func ResNet18(classes int) *nn.Sequential {
	layers := []nn.Layer{
		nn.NewConv2d(64, tensor.Square(7, 2, 3)), nn.NewBatchNorm2d(), nn.NewReLU(),
		nn.NewMaxPool2d(tensor.Square(3, 2, 1)),
	}
	for i, channels := range []int{64, 128, 256, 512} {
		for j := range 2 {
			stride := 1
			if i > 0 && j == 0 {
				stride = 2
			}
			layers = append(layers, block(channels, stride), nn.NewReLU())
		}
	}
	layers = append(layers, nn.NewGlobalAvgPool2d(), nn.NewFlatten(), nn.NewLinear(classes))
	return nn.NewSequential(layers...)
}

// block is the book's Residual: two 3x3 convolutions of out channels, the
// first with the given stride, each followed by batch normalisation and
// the first by a ReLU; a block that strides adds a 1x1 convolution of the
// input with that stride, the others the input itself.
func block(out, stride int) *nn.Residual {
	body := []nn.Layer{
		nn.NewConv2d(out, tensor.Square(3, stride, 1)), nn.NewBatchNorm2d(), nn.NewReLU(),
		nn.NewConv2d(out, tensor.Square(3, 1, 1)), nn.NewBatchNorm2d(),
	}
	var shortcut []nn.Layer
	if stride > 1 {
		shortcut = []nn.Layer{nn.NewConv2d(out, tensor.Square(1, stride, 0))}
	}
	return nn.NewResidual(body, shortcut)
}

// namings are the book's names for ResNet-18's tensors. Its nn.Sequential
// holds the stem (b1) as entry 0, the four stages of two Residual blocks
// (b2..b5) and the head; a block names its layers conv1, bn1, conv2, bn2
// and, when it strides, conv3 for the shortcut's. Release 0.17 numbers the
// stages 1-4 and the head's layers 5-7; the current release names them
// b2..b5 and last.0-2, behind "net.".
func namings() []classify.Naming {
	paths := func(stage func(s int) string, head func(i int) string) map[string]string {
		m := map[string]string{}
		for i := range 4 { // the stem: convolution, batch norm, ReLU, pool
			m[strconv.Itoa(i)] = stage(0) + "." + strconv.Itoa(i)
		}
		for b := range 8 { // each block at 4+2b, its ReLU after it
			at, in := strconv.Itoa(4+2*b), stage(1+b/2)+"."+strconv.Itoa(b%2)+"."
			for from, to := range map[string]string{"body.0": "conv1", "body.1": "bn1", "body.3": "conv2", "body.4": "bn2", "shortcut.0": "conv3"} {
				m[at+"."+from] = in + to
			}
		}
		for i := range 3 { // the head: pool, flatten, linear
			m[strconv.Itoa(20+i)] = head(i)
		}
		return m
	}
	current := paths(func(s int) string {
		if s == 0 {
			return "0"
		}
		return "b" + strconv.Itoa(s+1)
	}, func(i int) string { return "last." + strconv.Itoa(i) })
	release017 := paths(strconv.Itoa, func(i int) string { return strconv.Itoa(5 + i) })
	return []classify.Naming{
		{Name: classify.NamingD2L, Prefix: "net.", Modules: current},
		{Name: classify.NamingD2L017, Modules: release017},
	}
}
