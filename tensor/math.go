package tensor

import (
	"fmt"
	"slices"
)

// UnaryOp names an elementwise function of one tensor (see Device.Unary).
type UnaryOp int

// The elementwise functions. Each one's derivative is a function of its
// output y, so a layer's backward needs only what its forward returned.
const (
	OpExp     UnaryOp = iota // e^x; derivative y
	OpSigmoid                // 1/(1+e^-x); derivative y(1-y)
	OpTanh                   // tanh x; derivative 1-y^2
)

// String returns the function's name in lower case.
func (op UnaryOp) String() string { return enumName("UnaryOp", int(op), "exp", "sigmoid", "tanh") }

// BinaryOp names an elementwise operation on two tensors of one shape
// (see Device.Binary).
type BinaryOp int

// The elementwise operations: z = x+y, x-y, x*y.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
)

// String returns the operation's name in lower case.
func (op BinaryOp) String() string { return enumName("BinaryOp", int(op), "add", "sub", "mul") }

// ReduceOp names a reduction (see Device.Reduce).
type ReduceOp int

// The reductions: the sum, and the maximum (NaN when any element is NaN,
// as PyTorch's max).
const (
	OpSum ReduceOp = iota
	OpMax
)

// String returns the reduction's name in lower case.
func (op ReduceOp) String() string { return enumName("ReduceOp", int(op), "sum", "max") }

// Exp computes y = e^x elementwise; y may alias x.
func Exp(y, x *Tensor) { unary("Exp", OpExp, y, x) }

// Sigmoid computes y = 1/(1+e^-x) elementwise; y may alias x.
func Sigmoid(y, x *Tensor) { unary("Sigmoid", OpSigmoid, y, x) }

// Tanh computes y = tanh x elementwise; y may alias x.
func Tanh(y, x *Tensor) { unary("Tanh", OpTanh, y, x) }

// ExpGrad computes dx = dy*y from e^x's output y; dx may alias dy.
func ExpGrad(dx, dy, y *Tensor) { unaryGrad("ExpGrad", OpExp, dx, dy, y) }

// SigmoidGrad computes dx = dy*y*(1-y) from the sigmoid's output y; dx may
// alias dy.
func SigmoidGrad(dx, dy, y *Tensor) { unaryGrad("SigmoidGrad", OpSigmoid, dx, dy, y) }

// TanhGrad computes dx = dy*(1-y*y) from tanh's output y; dx may alias dy.
func TanhGrad(dx, dy, y *Tensor) { unaryGrad("TanhGrad", OpTanh, dx, dy, y) }

func unary(name string, op UnaryOp, y, x *Tensor) {
	sameFloat32(name, named{"y", y}, named{"x", x}).Unary(op, y, x)
}

func unaryGrad(name string, op UnaryOp, dx, dy, y *Tensor) {
	sameFloat32(name, named{"dx", dx}, named{"dy", dy}, named{"y", y}).UnaryGrad(op, dx, dy, y)
}

// Add computes z = x+y elementwise for Float32 tensors of one shape; z
// may alias x or y.
func Add(z, x, y *Tensor) { binary("Add", OpAdd, z, x, y) }

// Sub computes z = x-y elementwise for Float32 tensors of one shape; z
// may alias x or y.
func Sub(z, x, y *Tensor) { binary("Sub", OpSub, z, x, y) }

// Mul computes z = x*y elementwise for Float32 tensors of one shape; z
// may alias x or y.
func Mul(z, x, y *Tensor) { binary("Mul", OpMul, z, x, y) }

func binary(name string, op BinaryOp, z, x, y *Tensor) {
	sameFloat32(name, named{"z", z}, named{"x", x}, named{"y", y}).Binary(op, z, x, y)
}

// AllAxes, as the axis of Sum or Max, reduces the whole tensor to one
// element.
const AllAxes = -1

// Sum writes to y the sum of the Float32 tensor x over one axis, or over
// every element for AllAxes. y's shape is x's without that axis (or with
// it kept as 1); for AllAxes y holds one element, of any shape. An empty
// axis sums to 0.
func Sum(y, x *Tensor, axis int) { reduce("Sum", OpSum, y, x, axis) }

// Max writes to y the maximum of the Float32 tensor x over one axis, or
// over every element for AllAxes, shaped as Sum's; NaN where a NaN is
// among the elements, as PyTorch's max. An empty axis panics.
func Max(y, x *Tensor, axis int) { reduce("Max", OpMax, y, x, axis) }

// reduce checks y against x and axis, and hands the device x as the
// [outer, n, inner] view whose middle axis is reduced.
func reduce(name string, op ReduceOp, y, x *Tensor, axis int) {
	dev := sameDevice(name, y, x)
	wantDType(name, "x", x, Float32)
	wantDType(name, "y", y, Float32)
	outer, n, inner := 1, x.n, 1
	if axis == AllAxes {
		if y.n != 1 {
			panic(fmt.Sprintf("tensor: %s: over all of x %v into y %v, want one element", name, x.shape, y.shape))
		}
	} else {
		if axis < 0 || axis >= len(x.shape) {
			panic(fmt.Sprintf("tensor: %s: axis %d of x %v", name, axis, x.shape))
		}
		dropped := slices.Delete(slices.Clone(x.shape), axis, axis+1)
		kept := slices.Clone(x.shape)
		kept[axis] = 1
		if !slices.Equal(y.shape, dropped) && !slices.Equal(y.shape, kept) {
			panic(fmt.Sprintf("tensor: %s: over axis %d of x %v into y %v, want %v", name, axis, x.shape, y.shape, dropped))
		}
		outer, n, inner = product(x.shape[:axis]), x.shape[axis], product(x.shape[axis+1:])
	}
	if op == OpMax && n == 0 && y.n > 0 {
		panic(fmt.Sprintf("tensor: %s: over an empty axis of x %v", name, x.shape))
	}
	if y.n > 0 {
		dev.Reduce(op, y, x, outer, n, inner)
	}
}

// product returns the element count of (part of) a tensor's shape, which
// New has already checked.
func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
