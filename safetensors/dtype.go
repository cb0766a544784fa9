package safetensors

import "math"

// DType is an element type, spelled as the header spells it.
type DType string

// The element types of the format. Every one of them can be read and
// written as raw bytes; Tensor's accessors convert the numeric ones
// noted there.
const (
	BOOL   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
)

// dtypes lists the element types in the reference implementation's order,
// which is that of increasing alignment: files lay tensors out in
// decreasing order of it, so that every tensor stays aligned to its
// element size.
var dtypes = []DType{BOOL, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64}

// Size returns the size of one element in bytes, or 0 for a DType that
// is not one of the format's.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8, F8E5M2, F8E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}

// rank returns d's place in dtypes.
func (d DType) rank() int {
	for i, t := range dtypes {
		if t == d {
			return i
		}
	}
	return -1
}

// halfToFloat32 converts an IEEE 754 binary16 value, subnormals, infinities
// and NaNs included.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0:
		// Zero or subnormal: mant * 2^-24, exact in float32.
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	// Rebias the exponent from 15 to 127.
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// bfloat16ToFloat32 converts a bfloat16 value: the upper half of a float32.
func bfloat16ToFloat32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}
