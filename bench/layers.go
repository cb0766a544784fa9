package bench

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// LayerNames names each layer by its kind and its rank among layers of
// that kind, as the book's text does: conv1 ... conv5, pool1, fc1, relu3.
func LayerNames(layers []nn.Layer) []string {
	names := make([]string, len(layers))
	seen := map[string]int{}
	for i, l := range layers {
		kind := l.Kind()
		seen[kind]++
		names[i] = kind + strconv.Itoa(seen[kind])
	}
	return names
}

// LayerFamilies maps the kinds of layer that LayerCases times alone to
// their benchmark family: the convolutions, where a network's FLOPs are,
// and the max-pools, the costliest of the memory-bound passes.
var LayerFamilies = map[string]string{"conv": "Conv", "pool": "MaxPool"}

// LayerCases returns, for every layer of a network of a kind in
// LayerFamilies and every batch size, a forward and a backward Case:
// BenchmarkConv/conv2/forward/b128 and BenchmarkMaxPool/pool1/backward/b128.
// net makes the network afresh (set up for input samples of shape in by
// the cases); each case runs a fresh copy of one layer on its own, with
// random inputs and, for backward, a random output gradient; backward
// computes the input gradient too, the work its FLOPs count. The copy is
// built once per device and shared by the layer's cases: its buffers are
// kept for the largest batch seen. Products run in precision p.
func LayerCases(net func() *nn.Sequential, in []int, batches []int, p tensor.Precision) []Case {
	var cases []Case
	model := net()
	model.Setup(in)
	names := LayerNames(model.Layers())
	for i, l := range model.Layers() {
		family, ok := LayerFamilies[l.Kind()]
		out := l.Setup(in)
		if !ok {
			in = out
			continue
		}
		cost := l.Cost()
		copies := &layerCopies{fresh: func() nn.Layer { return net().Layers()[i] }, in: in, precision: p, built: map[tensor.Device]nn.Layer{}}
		for _, n := range batches {
			for _, dir := range []string{"forward", "backward"} {
				flops, bytes := cost.ForwardFLOPs, cost.ForwardBytes
				if dir == "backward" {
					flops, bytes = cost.BackwardFLOPs, cost.BackwardBytes
				}
				lc := layerCase{copies: copies, in: append([]int{n}, in...), backward: dir == "backward"}
				cases = append(cases, Case{
					Family: family,
					Name:   fmt.Sprintf("%s/%s/b%d", names[i], dir, n),
					Shape:  fmt.Sprintf("%v -> %v", lc.in, append([]int{n}, out...)),
					FLOPs:  float64(flops) * float64(n),
					Bytes:  float64(bytes) * float64(n),
					Images: n,
					Setup:  lc.setup,
				})
			}
		}
		in = out
	}
	return cases
}

// layerCopies builds a layer alone, once per device.
type layerCopies struct {
	fresh     func() nn.Layer
	in        []int // one input sample
	precision tensor.Precision
	mu        sync.Mutex
	built     map[tensor.Device]nn.Layer
}

// on returns the copy on dev, building it on first use: in a Sequential of
// its own, which owns its parameters and gives it a workspace as the whole
// model would.
func (c *layerCopies) on(dev tensor.Device) nn.Layer {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.built[dev]
	if !ok {
		l = c.fresh()
		nn.NewSequential(l).Build(dev, c.in, nn.BuildOptions{Seed: 1, Precision: c.precision})
		c.built[dev] = l
	}
	return l
}

// layerCase runs one layer alone on a batch of shape in.
type layerCase struct {
	copies   *layerCopies
	in       []int
	backward bool
}

func (lc layerCase) setup(dev tensor.Device) (step, free func(), err error) {
	l := lc.copies.on(dev)
	x := tensor.RandUniform(dev, 2, -1, 1, lc.in...)
	pass := nn.Pass{Train: true}
	tmp := []*tensor.Tensor{x}
	step = func() { l.Forward(x, pass) }
	if lc.backward {
		y := l.Forward(x, pass)
		dy := tensor.RandUniform(dev, 3, -1, 1, y.Shape()...)
		tmp = append(tmp, dy)
		step = func() { l.Backward(dy, true) }
	}
	free = func() {
		for _, t := range tmp {
			t.Free()
		}
	}
	if err := dev.Sync(); err != nil {
		free()
		return nil, nil, err
	}
	return step, free, nil
}
