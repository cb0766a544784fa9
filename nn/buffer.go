package nn

import (
	"slices"

	"github.com/tensorforge/tensorforge/tensor"
)

// batchBuf is a layer-owned tensor of shape [n, sample...]. Its memory is
// kept for the largest batch seen and smaller batches get a view of its
// first rows, so the last, partial batch of an epoch allocates no memory and
// the next full batch none either; only the view is remade when n changes.
type batchBuf struct {
	full, view *tensor.Tensor
}

// get returns the buffer for n samples of the given shape and dtype on dev.
func (b *batchBuf) get(dev tensor.Device, dt tensor.DType, n int, sample []int) *tensor.Tensor {
	if b.view != nil && b.view.Dim(0) == n && b.view.Device() == dev && b.view.DType() == dt && slices.Equal(b.view.Shape()[1:], sample) {
		return b.view
	}
	if b.full == nil || b.full.Dim(0) < n || b.full.Device() != dev || b.full.DType() != dt || !slices.Equal(b.full.Shape()[1:], sample) {
		if b.full != nil {
			b.full.Free()
		}
		b.full = tensor.New(dev, dt, append([]int{n}, sample...)...)
	}
	b.view = b.full.Slice(0, n)
	return b.view
}

// free returns the buffer's memory to its device; the next get makes it
// again.
func (b *batchBuf) free() {
	if b.full != nil {
		b.full.Free()
	}
	b.full, b.view = nil, nil
}

// storage says whether a layer stores its output in bfloat16 (true) or
// float32, as Sequential.roundOutputs sets it.
type storage bool

// dtype returns the output's element type.
func (s storage) dtype() tensor.DType {
	if s {
		return tensor.BFloat16
	}
	return tensor.Float32
}

// bytes returns the bytes n elements of the output take.
func (s storage) bytes(n int64) int64 { return int64(s.dtype().Size()) * n }

// chunks caches the views of rows [i, i+size) of one tensor, remade only
// when the tensor or the chunk size changes: tensor views are heap objects,
// and a steady loop hands a layer the same tensors every step.
type chunks struct {
	src   *tensor.Tensor
	size  int
	parts []*tensor.Tensor
}

// of returns the chunks of t along its first dimension, the last one
// possibly shorter.
func (c *chunks) of(t *tensor.Tensor, size int) []*tensor.Tensor {
	if t == c.src && size == c.size {
		return c.parts
	}
	c.src, c.size, c.parts = t, size, c.parts[:0]
	for i := 0; i < t.Dim(0); i += size {
		c.parts = append(c.parts, t.Slice(i, min(i+size, t.Dim(0))))
	}
	return c.parts
}
