package tensor

import "fmt"

// DType is the element type of a Tensor.
type DType uint8

const (
	// Float32 holds activations, parameters and gradients.
	Float32 DType = iota
	// Int32 holds class labels, max-pool argmax indices and counts.
	Int32
	// Uint8 holds raw image batches on their way to the device.
	Uint8
	// BFloat16 holds activations stored rounded to bfloat16 (the upper
	// half of a float32, to nearest even, as bf16.Round does), where a
	// BF16 model's readers of them would round them anyway or only compare
	// them (see BF16Activations). On the host its elements are uint16s.
	BFloat16
)

// String returns the element type's name: float32, int32, uint8 or
// bfloat16.
func (d DType) String() string {
	return enumName("DType", int(d), "float32", "int32", "uint8", "bfloat16")
}

// enumName returns names[v], the name of value v of one of the package's
// enumerations, or "typ(v)" for a value without a name.
func enumName(typ string, v int, names ...string) string {
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// Size returns the size of one element in bytes.
func (d DType) Size() int {
	switch d {
	case Float32, Int32:
		return 4
	case BFloat16:
		return 2
	case Uint8:
		return 1
	}
	panic(fmt.Sprintf("tensor: unknown %v", d))
}

// dtypeOf returns the DType of a host slice, or false when the slice type is
// not one a Tensor can hold.
func dtypeOf(s any) (DType, int, bool) {
	switch s := s.(type) {
	case []float32:
		return Float32, len(s), true
	case []int32:
		return Int32, len(s), true
	case []uint8:
		return Uint8, len(s), true
	case []uint16:
		return BFloat16, len(s), true
	}
	return 0, 0, false
}
