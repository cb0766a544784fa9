package bench

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// Batches are the batch sizes the layer and model benchmarks run at on
// every device; GPUBatches are added on the GPU (a CPU training step at
// batch 256 takes tens of seconds).
var (
	Batches    = []int{1, 16, 128}
	GPUBatches = []int{256}
)

// Model is AlexNet as the benchmarks run it: the book's network for
// 1-channel images of side Size and 10 classes, built once per device and
// shared by every case made from it. Layer buffers are kept for the
// largest batch seen, so running batches in increasing order reuses one
// model's memory instead of building (and leaking, on a GPU) one per case.
type Model struct {
	Config alexnet.Config

	mu     sync.Mutex
	models map[tensor.Device]*classify.Model
}

// NewModel returns AlexNet for size x size Fashion-MNIST-like inputs, its
// products in precision p.
func NewModel(size int, p tensor.Precision) *Model {
	return &Model{
		Config: alexnet.Config{InChannels: 1, Size: size, Classes: 10, Seed: 1, Precision: p},
		models: map[tensor.Device]*classify.Model{},
	}
}

// On returns the model built on dev, building it on first use.
func (m *Model) On(dev tensor.Device) (*classify.Model, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if am, ok := m.models[dev]; ok {
		return am, nil
	}
	am, err := alexnet.New(dev, m.Config)
	if err != nil {
		return nil, err
	}
	m.models[dev] = am
	return am, nil
}

// FLOPs returns the forward and backward FLOPs of one image, from the
// layers' FLOPs methods as the summary adds them up.
func (m *Model) FLOPs() (forward, backward float64, err error) {
	rows, err := alexnet.Summary(m.Config)
	if err != nil {
		return 0, 0, err
	}
	_, f, b := nn.Totals(rows)
	return float64(f), float64(b), nil
}

// LayerCases returns the Cases of the network's convolutions and
// max-pools alone (see the package function LayerCases).
func (m *Model) LayerCases(batches []int) []Case {
	return LayerCases(func() *nn.Sequential { return alexnet.Layers(m.Config) }, m.Config.Input(), batches, m.Config.Precision)
}

// Cases returns the forward pass and the training step for each batch
// size: BenchmarkAlexNet/forward/b128 and BenchmarkAlexNet/train/b128.
func (m *Model) Cases(batches []int) ([]Case, error) {
	var cases []Case
	for _, n := range batches {
		for _, train := range []bool{false, true} {
			c, err := m.Case(n, train)
			if err != nil {
				return nil, err
			}
			cases = append(cases, c)
		}
	}
	return cases, nil
}

// Case returns the forward pass (Eval, no dropout) or the training step
// (TrainStep: forward, loss, backward, SGD update) at batch n. The input is
// already 224x224 on the device, as in the PyTorch figures of ANCHORS.md:
// loading and resizing are not timed.
func (m *Model) Case(n int, train bool) (Case, error) {
	fwd, bwd, err := m.FLOPs()
	if err != nil {
		return Case{}, err
	}
	c := Case{Family: "AlexNet", Name: fmt.Sprintf("forward/b%d", n),
		Shape: fmt.Sprintf("%v", append([]int{n}, m.Config.Input()...)),
		FLOPs: fwd * float64(n), Images: n, Setup: m.setup(n, train)}
	if train {
		c.Name = fmt.Sprintf("train/b%d", n)
		c.FLOPs = (fwd + bwd) * float64(n)
	}
	return c, nil
}

// Batch returns a random batch of n images in [0, 1) and labels on dev,
// the same for a given seed on every device.
func (m *Model) Batch(dev tensor.Device, n int, seed uint64) (x, labels *tensor.Tensor) {
	x = tensor.RandUniform(dev, seed, 0, 1, append([]int{n}, m.Config.Input()...)...)
	r := rand.New(rand.NewPCG(seed, 1))
	lab := make([]int32, n)
	for i := range lab {
		lab[i] = int32(r.IntN(m.Config.Classes))
	}
	return x, tensor.FromSlice(dev, lab, n)
}

func (m *Model) setup(n int, train bool) func(tensor.Device) (step, free func(), err error) {
	return func(dev tensor.Device) (step, free func(), err error) {
		am, err := m.On(dev)
		if err != nil {
			return nil, nil, err
		}
		x, labels := m.Batch(dev, n, uint64(n))
		free = func() { x.Free(); labels.Free() }
		step = func() { am.Eval(x, nil) }
		if train {
			step = func() { am.TrainStep(x, labels) }
		}
		return step, free, dev.Err()
	}
}
