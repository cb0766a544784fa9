package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// A layer's input gradient is read by one layer only, the one before it,
// whose Backward writes its own input gradient next. So a network's layers
// take turns in two buffers, from the last layer back: each writes into
// the buffer its output gradient is not in. Layers that change their
// output gradient in place (ReLU, Dropout, BatchNorm) or return a view of
// it (Flatten) pass the turn on. In AlexNet at batch 128 the two buffers
// hold 143 MB (the largest input gradient, conv1's output's) and 33 MB,
// where a buffer a layer would hold 367 MB.

// gradPair is a network's two buffers for its layers' input gradients.
type gradPair struct {
	bufs  [2]*tensor.Tensor
	elems [2]int // elements a sample of the largest gradient each holds
}

// reserve makes each buffer hold n samples on dev, replacing a smaller one.
// No layer holds a view of either between two Backward passes.
func (p *gradPair) reserve(dev tensor.Device, n int) {
	for i, b := range p.bufs {
		need := n * p.elems[i]
		if need == 0 || b != nil && b.Len() >= need && b.Device() == dev {
			continue
		}
		if b != nil {
			b.Free()
		}
		p.bufs[i] = tensor.Zeros(dev, need)
	}
}

// free returns both buffers' memory to their device.
func (p *gradPair) free() {
	for i, b := range p.bufs {
		if b != nil {
			b.Free()
		}
		p.bufs[i] = nil
	}
}

// gradBuf is the Float32 input gradient of a layer that writes a new
// tensor for it: a view of one of its network's two buffers, or the
// layer's own memory when it runs outside a network.
type gradBuf struct {
	pair *gradPair // nil: own
	slot int
	own  batchBuf
	view *tensor.Tensor // of pair.bufs[slot], remade when that changes
}

// get returns the gradient for n samples of the given shape on dev.
func (b *gradBuf) get(dev tensor.Device, n int, sample []int) *tensor.Tensor {
	if b.pair == nil {
		return b.own.get(dev, tensor.Float32, n, sample)
	}
	buf := b.pair.bufs[b.slot]
	if buf == nil || buf.Device() != dev {
		// sample is not formatted: that would move every caller's
		// literal to the heap.
		panic(fmt.Sprintf("nn: a layer's input gradient for %d samples asked for outside its network's Backward", n))
	}
	if b.view == nil || b.view.Storage() != buf.Storage() || b.view.Dim(0) != n {
		b.view = tensor.ViewOf(buf.Storage(), buf.Offset(), append([]int{n}, sample...)...)
	}
	return b.view
}

// free drops the layer's view and returns its own memory, if any.
func (b *gradBuf) free() {
	b.own.free()
	b.view = nil
}

// gradWriter is a layer that writes its input gradient into a gradBuf.
type gradWriter interface {
	inputGrad() *gradBuf
}

// inputGradSlots calls fn with each layer that writes its input gradient
// in a Backward (those after the first trained layer), from the last, the
// buffer of the pair it takes, and the elements of one sample of its
// gradient. Valid after Setup.
func (s *Sequential) inputGradSlots(fn func(w gradWriter, slot, elems int)) {
	slot := 1
	for i := len(s.layers) - 1; i > s.firstTrained(); i-- {
		w, ok := s.layers[i].(gradWriter)
		if !ok {
			continue
		}
		slot = 1 - slot
		in := s.in
		if i > 0 {
			in = s.outs[i-1]
		}
		fn(w, slot, numel(in))
	}
}

// shareInputGrads points those layers' input gradients into the
// network's pair of buffers, and sizes the pair for one sample.
func (s *Sequential) shareInputGrads() {
	s.dx.elems = [2]int{}
	s.inputGradSlots(func(w gradWriter, slot, elems int) {
		s.dx.elems[slot] = max(s.dx.elems[slot], elems)
		g := w.inputGrad()
		g.pair, g.slot = &s.dx, slot
	})
}
