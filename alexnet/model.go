// Package alexnet is the AlexNet of Dive into Deep Learning (ch. 8.1),
// sized for Fashion-MNIST, with its training loop and data handling.
package alexnet

import (
	"fmt"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// MinSize is the smallest input the network's windows fit: they shrink an
// image about 32-fold and the last max-pool needs a 3x3 map.
const MinSize = 65

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

// Model is an AlexNet on one device with its loss and optimizer.
type Model struct {
	cfg    Config
	net    *nn.Sequential
	opt    *nn.SGD
	loss   nn.CrossEntropy
	params []nn.Param
	step   uint64
}

// New builds the model on dev with weights initialised from c.Seed.
func New(dev tensor.Device, c Config) (*Model, error) {
	c = c.withDefaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	net := Layers(c)
	net.Build(dev, c.Input(), c.Seed)
	params, grads := net.Arena()
	m := &Model{cfg: c, net: net, opt: nn.NewSGD(params, grads, c.SGD)}
	for _, p := range net.Params() {
		p.Name = ParamPrefix + p.Name
		m.params = append(m.params, p)
	}
	return m, dev.Err()
}

// Config returns the configuration the model was built with, defaults
// filled in.
func (m *Model) Config() Config { return m.cfg }

// Device returns the device the model lives on.
func (m *Model) Device() tensor.Device { return m.params[0].Value.Device() }

// Net returns the layers.
func (m *Model) Net() *nn.Sequential { return m.net }

// Optimizer returns the SGD optimizer; its Options may be changed between
// steps and its Velocity is the state a checkpoint saves.
func (m *Model) Optimizer() *nn.SGD { return m.opt }

// Params returns the named parameters ("net.0.weight" ... "net.20.bias")
// with their gradients, in arena order. The caller must not modify the
// slice.
func (m *Model) Params() []nn.Param { return m.params }

// Step returns the number of training steps taken, which seeds the next
// step's dropout masks.
func (m *Model) Step() uint64 { return m.step }

// SetStep sets the step count, so a run resumed from a checkpoint draws
// the dropout masks the uninterrupted run would have.
func (m *Model) SetStep(step uint64) { m.step = step }

// TrainStep runs one SGD step on the batch x [N, InChannels, Size, Size]
// with labels (Int32 [N]): forward with dropout, loss, backward, update.
// It returns the batch's mean loss (Float32 [1]) and number of correct
// predictions (Int32 [1]) before the update, left on the device: reading
// them waits for the step, so a loop that reads only every few steps lets
// the device run ahead. Both are overwritten by the next call.
func (m *Model) TrainStep(x, labels *tensor.Tensor) (loss, correct *tensor.Tensor) {
	m.net.ZeroGrad()
	seed := nn.MixSeed(^m.cfg.Seed, m.step)
	logits := m.net.Forward(x, nn.Pass{Train: true, Seed: seed})
	loss, correct = m.loss.Forward(logits, labels, true)
	m.net.Backward(m.loss.Backward())
	m.opt.Step()
	m.step++
	return loss, correct
}

// Eval runs the batch without dropout and returns the logits [N, Classes]
// and, with labels (nil for none), the mean loss and correct count as
// TrainStep does. All three are overwritten by the next call.
func (m *Model) Eval(x, labels *tensor.Tensor) (logits, loss, correct *tensor.Tensor) {
	logits = m.net.Forward(x, nn.Pass{})
	if labels != nil {
		loss, correct = m.loss.Forward(logits, labels, false)
	}
	return logits, loss, correct
}
