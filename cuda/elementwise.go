//go:build cuda

package cuda

import (
	"math"

	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// Fill sets every element of x to v with the driver's 32-bit memset.
func (d *Device) Fill(x *tensor.Tensor, v float32) {
	d.do("Fill", func() {
		if n := x.Len(); n > 0 {
			cu.MemsetD32Async(d.ptr(x), math.Float32bits(v), int64(n), d.stream)
		}
	})
}

// Copy copies src into dst with a device-to-device memcpy on the stream.
// Views that overlap in part go through a scratch block, since a memcpy
// between overlapping ranges is undefined; the CPU's copy handles them.
func (d *Device) Copy(dst, src *tensor.Tensor) {
	d.do("Copy", func() {
		n := int64(src.Len()) * int64(src.DType().Size())
		to, from := d.ptr(dst), d.ptr(src)
		switch {
		case n == 0 || to == from:
		case to < from+cu.DevicePtr(n) && from < to+cu.DevicePtr(n):
			tmp, class := d.alloc(n)
			defer d.release(tmp, class)
			cu.MemcpyDtoDAsync(tmp, from, n, d.stream)
			cu.MemcpyDtoDAsync(to, tmp, n, d.stream)
		default:
			cu.MemcpyDtoDAsync(to, from, n, d.stream)
		}
	})
}

// CopyBlocks copies b's blocks from src to dst with one kernel over all
// of their elements.
func (d *Device) CopyBlocks(dst, src *tensor.Tensor, b tensor.Blocks) {
	if b.Count == 0 || b.Len == 0 {
		return
	}
	to := d.ptr(dst) + cu.DevicePtr(4*int64(b.DstOff))
	from := d.ptr(src) + cu.DevicePtr(4*int64(b.SrcOff))
	d.elementwise("CopyBlocks", "copy_blocks_f32", b.Count*b.Len, to, from, b.Len, b.DstStride, b.SrcStride)
}

// Axpy computes y += alpha*x.
func (d *Device) Axpy(alpha float32, x, y *tensor.Tensor) {
	d.elementwise("Axpy", "axpy_f32", y.Len(), d.ptr(y), d.ptr(x), alpha)
}

// Scale computes x *= alpha.
func (d *Device) Scale(x *tensor.Tensor, alpha float32) {
	d.elementwise("Scale", "scale_f32", x.Len(), d.ptr(x), alpha)
}

// The kernels of each elementwise op, in kernels/unary.cu and
// elementwise.cu, indexed by the op: a table rather than names built from
// op's String, so a call makes no string.
var (
	unaryKernels     = [...]string{tensor.OpExp: "exp_f32", tensor.OpSigmoid: "sigmoid_f32", tensor.OpTanh: "tanh_f32"}
	unaryGradKernels = [...]string{tensor.OpExp: "exp_grad_f32", tensor.OpSigmoid: "sigmoid_grad_f32", tensor.OpTanh: "tanh_grad_f32"}
	binaryKernels    = [...]string{tensor.OpAdd: "add_f32", tensor.OpSub: "sub_f32", tensor.OpMul: "mul_f32"}
)

// Unary computes y = op(x) elementwise.
func (d *Device) Unary(op tensor.UnaryOp, y, x *tensor.Tensor) {
	d.elementwise("Unary", unaryKernels[op], y.Len(), d.ptr(y), d.ptr(x))
}

// UnaryGrad computes dx = dy * op'(x) from op's output y.
func (d *Device) UnaryGrad(op tensor.UnaryOp, dx, dy, y *tensor.Tensor) {
	d.elementwise("UnaryGrad", unaryGradKernels[op], dx.Len(), d.ptr(dx), d.ptr(dy), d.ptr(y))
}

// Binary computes z = x op y elementwise.
func (d *Device) Binary(op tensor.BinaryOp, z, x, y *tensor.Tensor) {
	d.elementwise("Binary", binaryKernels[op], z.Len(), d.ptr(z), d.ptr(x), d.ptr(y))
}

// ReLU computes y = max(x, 0).
func (d *Device) ReLU(y, x *tensor.Tensor) {
	d.elementwise("ReLU", "relu_f32", y.Len(), d.ptr(y), d.ptr(x))
}

// ReLUGrad computes dx = dy where y > 0 and 0 elsewhere.
func (d *Device) ReLUGrad(dx, dy, y *tensor.Tensor) {
	d.elementwise("ReLUGrad", "relu_grad_f32", dx.Len(), d.ptr(dx), d.ptr(dy), d.ptr(y))
}
