// Package alexnet is the AlexNet of Dive into Deep Learning (ch. 8.1),
// sized for Fashion-MNIST: the network, its defaults, and checkpoints that
// record its sizes. Training, evaluation and prediction are package
// classify's, which takes any such network.
package alexnet

import (
	"fmt"
	"strconv"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// MinSize is the smallest input the network's windows fit: they shrink an
// image about 32-fold and the last max-pool needs a 3x3 map.
const MinSize = 65

// MaxSize is the largest input accepted, about 80 times the book's pixel
// count: its first convolution's output is then 100 MB an image, so
// larger sizes are more likely a mistake than a plan.
const MaxSize = 2048

// Config describes the model and its optimizer. The zero values of Hidden
// and SGD.LR take the book's settings.
type Config struct {
	InChannels int    // image channels: 1 for Fashion-MNIST
	Size       int    // input height and width: 224 in the book
	Classes    int    // output classes: 10 for Fashion-MNIST
	Hidden     int    // width of the two hidden linear layers: 4096 when 0
	Seed       uint64 // initial weights and the dropout masks

	// SGD are the optimizer's settings; LR 0 means the book's 0.01.
	SGD tensor.SGDOptions
	// Inference builds the model without gradients or optimizer, to
	// predict in about half the memory (see classify.Config).
	Inference bool
	// Precision is that of the convolutions' and linear layers' products:
	// FP32 (the default) or BF16 (see classify.Config).
	Precision tensor.Precision
}

// withDefaults fills in the zero values that stand for the book's.
func (c Config) withDefaults() Config {
	if c.Hidden == 0 {
		c.Hidden = 4096
	}
	if c.SGD.LR == 0 {
		c.SGD.LR = 0.01
	}
	return c
}

// check reports a configuration the network cannot be built for.
func (c Config) check() error {
	switch {
	case c.InChannels < 1:
		return fmt.Errorf("alexnet: %d input channels, want at least 1", c.InChannels)
	case c.Classes < 1:
		return fmt.Errorf("alexnet: %d classes, want at least 1", c.Classes)
	case c.Hidden < 1:
		return fmt.Errorf("alexnet: hidden width %d, want at least 1", c.Hidden)
	case c.Size < MinSize:
		return fmt.Errorf("alexnet: input size %d is below the network's minimum %d", c.Size, MinSize)
	case c.Size > MaxSize:
		return fmt.Errorf("alexnet: input size %d is above the limit of %d", c.Size, MaxSize)
	}
	return nil
}

// Input returns the shape of one input sample: [InChannels, Size, Size].
func (c Config) Input() []int { return []int{c.InChannels, c.Size, c.Size} }

// Layers returns the network of D2L's AlexNet, not yet set up: five
// convolutions and three max-pools, then three linear layers with dropout.
// Its indices are PyTorch's: conv weights at 0, 3, 6, 8, 10 and linear
// weights at 14, 17, 20.
func Layers(c Config) *nn.Sequential {
	c = c.withDefaults()
	pool := func() nn.Layer { return nn.NewMaxPool2d(tensor.Square(3, 2, 0)) }
	return nn.NewSequential(
		nn.NewConv2d(96, tensor.Square(11, 4, 1)), nn.NewReLU(), pool(),
		nn.NewConv2d(256, tensor.Square(5, 1, 2)), nn.NewReLU(), pool(),
		nn.NewConv2d(384, tensor.Square(3, 1, 1)), nn.NewReLU(),
		nn.NewConv2d(384, tensor.Square(3, 1, 1)), nn.NewReLU(),
		nn.NewConv2d(256, tensor.Square(3, 1, 1)), nn.NewReLU(), pool(),
		nn.NewFlatten(),
		nn.NewLinear(c.Hidden), nn.NewReLU(), nn.NewDropout(0.5),
		nn.NewLinear(c.Hidden), nn.NewReLU(), nn.NewDropout(0.5),
		nn.NewLinear(c.Classes),
	)
}

// ParamPrefix is put before the Sequential's parameter names, as D2L's
// Classifier keeps its layers in a field called net: "net.0.weight".
const ParamPrefix = "net."

// The metadata keys of the sizes a checkpoint records; every value is a
// decimal integer.
const (
	metaChannels = "channels" // Config.InChannels
	metaSize     = "size"     // Config.Size
	metaClasses  = "classes"  // Config.Classes
	metaHidden   = "hidden"   // Config.Hidden
)

// New builds the model on dev with weights initialised from c.Seed.
func New(dev tensor.Device, c Config) (*classify.Model, error) {
	c = c.withDefaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	return classify.New(dev, Layers(c), c.classify())
}

// classify returns the classifier's configuration of c, defaults filled
// in: the sizes go into the checkpoints' metadata.
func (c Config) classify() classify.Config {
	return classify.Config{
		Input: c.Input(), Seed: c.Seed, SGD: c.SGD, Inference: c.Inference, Precision: c.Precision,
		Prefix: ParamPrefix,
		Meta: map[string]string{
			metaChannels: strconv.Itoa(c.InChannels),
			metaSize:     strconv.Itoa(c.Size),
			metaClasses:  strconv.Itoa(c.Classes),
			metaHidden:   strconv.Itoa(c.Hidden),
		},
	}
}
