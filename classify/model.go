// Package classify trains, evaluates and runs image classifiers built from
// an nn.Sequential: the training loop with progress, checkpoints and
// resumption, evaluation with a confusion matrix, prediction from a
// dataset, images or a tensor, and a Predictor that serves concurrent
// requests in batches. Any network whose output is one logit per class
// fits; packages alexnet, lenet and nin define some, the last two as
// Recipes.
//
// Concurrency: a Model is not safe for concurrent use (its layers keep
// their buffers between calls); a Predictor is, and is what a service
// shares. Training, evaluation and prediction take the model for the
// duration of the call.
package classify

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tensorforge/tensorforge/internal/hostfile"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Config describes a classifier around a network.
type Config struct {
	// Input is the shape of one sample the network takes, [C, H, W]:
	// images are resized to H x W on the device; their channels must be C.
	Input []int
	// Seed draws the initial weights and the dropout masks.
	Seed uint64
	// SGD are the optimizer's settings; a model built for inference has
	// none.
	SGD tensor.SGDOptions
	// Inference builds the model without gradients or optimizer: it can
	// evaluate and predict, not train, in about half the memory.
	Inference bool
	// Precision is that of the network's matrix products (see
	// nn.BuildOptions): FP32, the default, or BF16. Weights, gradients
	// and checkpoints are float32 in both, so a model trained in one
	// precision loads in the other. The device must run it
	// (tensor.Device's GemmPrecision).
	Precision tensor.Precision
	// Prefix is put before the network's tensor names ("0.weight") in
	// checkpoints and Params: "net." for the models of Dive into Deep
	// Learning, whose Classifier keeps its layers in a field called net.
	Prefix string
	// Namings are other module trees' names for the network's tensors
	// (the book's own PyTorch modules, for a network built flat): a
	// checkpoint may name them as the network does or as any of these.
	Namings []Naming
	// SaveAs is the name of the Naming that checkpoints are written in;
	// "" writes the network's own names.
	SaveAs string
	// Meta is written into every checkpoint's metadata: what a builder
	// needs to make the network again (AlexNet's sizes). A checkpoint
	// loaded into the model must agree with every entry it has.
	Meta map[string]string
}

// Model is a classifier on one device: a network with its loss and, unless
// built for inference, its optimizer. It is not safe for concurrent use.
type Model struct {
	cfg    Config
	net    *nn.Sequential
	opt    *nn.SGD // nil for inference
	loss   nn.CrossEntropy
	params []nn.Param // the trained tensors, named with cfg.Prefix
	state  []nn.Param // the non-trained ones, likewise
	step   uint64
	// hostGrads is the gradients' host copy in a data-parallel run, and
	// freeGrads what returns it to the device.
	hostGrads []float32
	freeGrads func()
	// checked is the largest batch whose memory has been checked, so a
	// loop checks once.
	checked int
}

// New builds a model of net on dev with weights drawn from c.Seed. net
// must not have been built; the model owns it from then on.
func New(dev tensor.Device, net *nn.Sequential, c Config) (*Model, error) {
	return build(dev, net, c, false)
}

// build checks c and net's shapes, checks that the parameters fit in the
// device's memory, then builds net, drawing its weights unless noInit.
func build(dev tensor.Device, net *nn.Sequential, c Config, noInit bool) (*Model, error) {
	if err := checkInput(net, c.Input); err != nil {
		return nil, err
	}
	c.Input = slices.Clone(c.Input)
	c.Meta = maps.Clone(c.Meta)
	if _, err := dev.GemmPrecision(c.Precision); err != nil {
		return nil, fmt.Errorf("classify: precision %v: %w", c.Precision, err)
	}
	o := nn.BuildOptions{Seed: c.Seed, NoInit: noInit, Inference: c.Inference, Precision: c.Precision}
	if err := fits(dev, "the model's parameters", net.ParamBytes(o)); err != nil {
		return nil, err
	}
	if err := checkNamings(net, c); err != nil {
		return nil, err
	}
	net.Build(dev, c.Input, o)
	m := &Model{cfg: c, net: net}
	if !c.Inference {
		params, grads := net.Arena()
		m.opt = nn.NewSGD(params, grads, c.SGD)
	}
	for _, p := range net.Params() {
		p.Name = c.Prefix + p.Name
		m.params = append(m.params, p)
	}
	for _, p := range net.State() {
		p.Name = c.Prefix + p.Name
		m.state = append(m.state, p)
	}
	if err := dev.Err(); err != nil {
		m.Free()
		return nil, err
	}
	return m, nil
}

// checkNamings reports a Naming of c that does not fit net (see
// Naming.check), two of the same name, or a SaveAs that names none.
func checkNamings(net *nn.Sequential, c Config) error {
	var names []string
	for _, ls := range net.Specs() {
		for _, spec := range ls.Specs {
			names = append(names, ls.Name(spec))
		}
	}
	seen := map[string]bool{}
	for _, n := range c.Namings {
		if n.Name == "" || seen[n.Name] {
			return fmt.Errorf("classify: naming %q: want a name of its own", n.Name)
		}
		seen[n.Name] = true
		if err := n.check(names); err != nil {
			return err
		}
	}
	if c.SaveAs != "" && !seen[c.SaveAs] {
		return fmt.Errorf("classify: SaveAs %q: not one of the model's namings", c.SaveAs)
	}
	return nil
}

// checkInput sets net up for samples of shape in and reports what makes
// in unfit: not [C, H, W] with sides in [1, MaxImageSide], a window
// larger than its input, or an output other than one logit per class.
func checkInput(net *nn.Sequential, in []int) error {
	if len(in) != 3 {
		return fmt.Errorf("classify: input %v: want [channels, height, width]", in)
	}
	for _, d := range in {
		if d < 1 || d > MaxImageSide {
			return fmt.Errorf("classify: input %v: each size must be 1 to %d", in, MaxImageSide)
		}
	}
	out, err := setup(net, in)
	if err != nil {
		return err
	}
	if len(out) != 1 || out[0] < 1 {
		return fmt.Errorf("classify: the network maps %v to %v per sample, want one logit per class", in, out)
	}
	return nil
}

// setup runs net.Setup on in, turning a layer's panic over sizes that do
// not fit (a window larger than its input) into an error.
func setup(net *nn.Sequential, in []int) (out []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("classify: the network does not fit input %v: %v", in, r)
		}
	}()
	return net.Setup(in), nil
}

// Config returns the configuration the model was built with.
func (m *Model) Config() Config { return m.cfg }

// Device returns the device the model lives on.
func (m *Model) Device() tensor.Device {
	params, _ := m.net.Arena()
	return params.Device()
}

// Net returns the network.
func (m *Model) Net() *nn.Sequential { return m.net }

// Input returns the shape of one sample the network takes, [C, H, W].
func (m *Model) Input() []int { return m.cfg.Input }

// Classes returns the number of classes: the network's outputs.
func (m *Model) Classes() int { return m.net.Output()[0] }

// Inference reports whether the model was built for inference only.
func (m *Model) Inference() bool { return m.opt == nil }

// Optimizer returns the SGD optimizer, nil for inference; its Options may
// be changed between steps and its Velocity is the state a checkpoint
// saves.
func (m *Model) Optimizer() *nn.SGD { return m.opt }

// Params returns the trained tensors, named as checkpoints name them
// (Prefix, then PyTorch's "<layer index>.weight"), with their gradients,
// in arena order. The caller must not modify the slice.
func (m *Model) Params() []nn.Param { return m.params }

// State returns the non-trained tensors, named as Params are.
func (m *Model) State() []nn.Param { return m.state }

// Step returns the number of training steps taken, which seeds the next
// step's dropout masks.
func (m *Model) Step() uint64 { return m.step }

// SetStep sets the step count, so a run resumed from a checkpoint draws
// the dropout masks the uninterrupted run would have.
func (m *Model) SetStep(step uint64) { m.step = step }

// TrainStep runs one SGD step on the batch x [N, C, H, W] (the model's
// input shape) with labels (Int32 [N]): forward with dropout, loss,
// backward, update. It returns the batch's mean loss (Float32 [1]) and
// number of correct predictions (Int32 [1]) before the update, left on the
// device: reading them waits for the step, so a loop that reads only every
// few steps lets the device run ahead. Both are overwritten by the next
// call. It panics on a model built for inference.
func (m *Model) TrainStep(x, labels *tensor.Tensor) (loss, correct *tensor.Tensor) {
	loss, correct, _ = m.sgdStep(x, labels, 0, nil)
	return loss, correct
}

// sgdStep is one SGD step on x, rows [offset, offset+N) of the step's whole
// batch (all of it, offset 0, without a group). Between the backward pass
// and the update, reduce (unless nil) may replace the gradients: with
// those of the whole batch, in a data-parallel run. x may hold no rows
// (a process whose share of a short last batch is empty): its gradients
// are then zero, and loss and correct nil; x is nil then.
func (m *Model) sgdStep(x, labels *tensor.Tensor, offset int, reduce func() error) (loss, correct *tensor.Tensor, err error) {
	if m.opt == nil {
		panic("classify: TrainStep of a model built for inference")
	}
	if x == nil {
		m.net.ZeroGrad()
	} else {
		m.net.DiscardGrad() // the backward pass writes every gradient
		seed := nn.MixSeed(^m.cfg.Seed, m.step)
		logits := m.net.Forward(x, nn.Pass{Train: true, Seed: seed, Offset: offset})
		loss, correct = m.loss.Forward(logits, labels, true)
		m.net.Mark("loss")
		m.net.Backward(m.loss.Backward())
	}
	if reduce != nil {
		if err := reduce(); err != nil {
			return nil, nil, err
		}
	}
	m.opt.Step()
	m.net.Mark("update")
	m.step++
	return loss, correct, nil
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

// CheckBatch returns an error naming the bytes when batches of n would need
// more memory than the device has left: a huge batch is refused with a
// message rather than ending the program out of memory.
func (m *Model) CheckBatch(n int) error {
	if n <= m.checked {
		return nil
	}
	o := nn.BuildOptions{Inference: m.Inference()}
	dev := m.Device()
	need := m.net.Footprint(dev, n, o) - m.net.ParamBytes(o)
	if m.checked > 0 {
		// What the batches so far allocated is held already.
		need -= m.net.Footprint(dev, m.checked, o) - m.net.ParamBytes(o)
	}
	if err := fits(dev, fmt.Sprintf("batches of %d", n), need); err != nil {
		return err
	}
	m.checked = n
	return nil
}

// Free returns all the model's memory to its device; the model cannot be
// used afterwards. On a GPU this is how a program gets a model's memory
// back without closing the device.
func (m *Model) Free() {
	m.freeHostGrads()
	m.net.Free()
	if m.opt != nil {
		m.opt.Free()
	}
}

// errTooBig is wrapped by the errors of memory a device cannot provide.
var errTooBig = errors.New("not enough memory")

// fits returns an error, naming what and the bytes, when bytes more than
// the device has available; devices that cannot tell are given the
// benefit of the doubt.
func fits(dev tensor.Device, what string, bytes int64) error {
	avail, ok := tensor.MemoryAvailable(dev)
	if !ok || bytes <= avail {
		return nil
	}
	return fmt.Errorf("%w on %s: %s need about %s, and %s is available", errTooBig, dev.Name(), what, hostfile.FormatSize(bytes), hostfile.FormatSize(avail))
}
