package tensor

import (
	"fmt"
	"slices"
)

// Blocks describes a strided copy (Device.CopyBlocks): Count blocks of Len
// elements each, the i-th read from element SrcOff+i*SrcStride of the
// source and written to element DstOff+i*DstStride of the destination.
type Blocks struct {
	Count, Len                           int
	SrcOff, SrcStride, DstOff, DstStride int
}

// Concat writes the Float32 tensors xs side by side along axis 1 into y:
// for xs of shapes [N, C_i, ...] (one N, one trailing shape), y is
// [N, C_0+C_1+..., ...] and holds x_0's channels first. Concatenation
// along the channels is how GoogLeNet's Inception block joins its
// branches and DenseNet grows its features.
func Concat(y *Tensor, xs ...*Tensor) {
	dev := checkConcat("Concat", y, xs)
	off := 0
	for _, x := range xs {
		if b := channelBlocks(y, x, off); b.Len > 0 && b.Count > 0 {
			dev.CopyBlocks(y, x, b)
		}
		off += x.shape[1]
	}
}

// Split is Concat's inverse: it copies the channels of y into xs, the
// first C_0 into x_0 and so on. It is also Concat's adjoint, which makes
// it the backward pass of a concatenation.
func Split(xs []*Tensor, y *Tensor) {
	dev := checkConcat("Split", y, xs)
	off := 0
	for _, x := range xs {
		if b := channelBlocks(y, x, off); b.Len > 0 && b.Count > 0 {
			b.SrcOff, b.SrcStride, b.DstOff, b.DstStride = b.DstOff, b.DstStride, b.SrcOff, b.SrcStride
			dev.CopyBlocks(x, y, b)
		}
		off += x.shape[1]
	}
}

// channelBlocks returns the copy of x into y's channels from channel off
// on: one block an image.
func channelBlocks(y, x *Tensor, off int) Blocks {
	inner := 1 // elements a channel
	for _, d := range y.shape[2:] {
		inner *= d
	}
	n := x.shape[1] * inner
	return Blocks{Count: y.shape[0], Len: n, SrcStride: n, DstOff: off * inner, DstStride: y.shape[1] * inner}
}

// checkConcat panics unless y and xs are Float32 tensors on one device
// whose shapes concatenate along axis 1 as Concat says.
func checkConcat(op string, y *Tensor, xs []*Tensor) Device {
	dev := sameDevice(op, y)
	wantDType(op, "y", y, Float32)
	if len(y.shape) < 2 {
		panic(fmt.Sprintf("tensor: %s: y has shape %v, want rank 2 or more", op, y.shape))
	}
	channels := 0
	for i, x := range xs {
		sameDevice(op, y, x)
		if x.DType() != Float32 {
			panic(fmt.Sprintf("tensor: %s: xs[%d] is %v %v, want %v", op, i, x.DType(), x.shape, Float32))
		}
		if len(x.shape) != len(y.shape) || x.shape[0] != y.shape[0] || !slices.Equal(x.shape[2:], y.shape[2:]) {
			panic(fmt.Sprintf("tensor: %s: xs[%d] has shape %v and y %v: want every dimension but 1 equal", op, i, x.shape, y.shape))
		}
		channels += x.shape[1]
	}
	if channels != y.shape[1] {
		panic(fmt.Sprintf("tensor: %s: the %d tensors have %d channels in all, y %v has %d", op, len(xs), channels, y.shape, y.shape[1]))
	}
	return dev
}
