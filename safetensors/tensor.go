// Package safetensors reads and writes the safetensors format of Hugging
// Face (https://github.com/huggingface/safetensors), in which PyTorch's
// safetensors.torch.save_file and load_file exchange weights: an 8-byte
// little-endian header length, a JSON header mapping each tensor's name to
// its dtype, shape and data_offsets (plus an optional "__metadata__" map
// of strings), then the tensors' little-endian, row-major bytes.
package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// File is the content of a safetensors file.
type File struct {
	// Name is the path the file was read from, named in errors; empty for
	// a File made in memory.
	Name string
	// Metadata is the header's "__metadata__" map: nil when the header has
	// none, and written only when not nil.
	Metadata map[string]string
	// Tensors maps each name to its tensor.
	Tensors map[string]Tensor
}

// Tensor is one tensor of a File: its element type, shape and raw bytes.
// The bytes of a tensor read from a file share memory with the file's.
type Tensor struct {
	DType DType
	Shape []int
	// Data holds the elements, little-endian, row-major.
	Data []byte
}

// Len returns the number of elements the shape holds.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// FromFloat32 returns an F32 tensor of the given shape holding a copy of v.
// len(v) must be the shape's element count.
func FromFloat32(shape []int, v []float32) Tensor {
	t := newTensor(F32, shape, len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(t.Data[4*i:], math.Float32bits(x))
	}
	return t
}

// FromInt32 returns an I32 tensor of the given shape holding a copy of v.
func FromInt32(shape []int, v []int32) Tensor {
	t := newTensor(I32, shape, len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(t.Data[4*i:], uint32(x))
	}
	return t
}

// FromUint8 returns a U8 tensor of the given shape holding a copy of v.
func FromUint8(shape []int, v []uint8) Tensor {
	t := newTensor(U8, shape, len(v))
	copy(t.Data, v)
	return t
}

// newTensor returns a tensor with room for n elements, panicking, as for
// any programmer error, if the shape does not hold n.
func newTensor(dtype DType, shape []int, n int) Tensor {
	t := Tensor{DType: dtype, Shape: append([]int(nil), shape...)}
	if t.Len() != n {
		panic(fmt.Sprintf("safetensors: %d elements for shape %v", n, shape))
	}
	t.Data = make([]byte, n*dtype.Size())
	return t
}

// Float32s returns the elements of an F32, F16, BF16 or F64 tensor as
// float32 (F64 rounded to nearest).
func (t Tensor) Float32s() ([]float32, error) {
	out := make([]float32, len(t.Data)/max(t.DType.Size(), 1))
	d := t.Data
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = halfToFloat32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = bfloat16ToFloat32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(d[8*i:])))
		}
	default:
		return nil, fmt.Errorf("dtype %s: want F32, F16, BF16 or F64 for float32 values", t.DType)
	}
	return out, nil
}

// Int32s returns the elements of an I32 tensor, or of an I64 tensor (as
// PyTorch stores integers by default) whose values all fit in an int32.
func (t Tensor) Int32s() ([]int32, error) {
	out := make([]int32, len(t.Data)/max(t.DType.Size(), 1))
	d := t.Data
	switch t.DType {
	case I32:
		for i := range out {
			out[i] = int32(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case I64:
		for i := range out {
			v := int64(binary.LittleEndian.Uint64(d[8*i:]))
			if v != int64(int32(v)) {
				return nil, fmt.Errorf("element %d is %d, outside the range of int32", i, v)
			}
			out[i] = int32(v)
		}
	default:
		return nil, fmt.Errorf("dtype %s: want I32 or I64 for int32 values", t.DType)
	}
	return out, nil
}

// Uint8s returns a copy of the elements of a U8 tensor.
func (t Tensor) Uint8s() ([]uint8, error) {
	if t.DType != U8 {
		return nil, fmt.Errorf("dtype %s: want U8 for uint8 values", t.DType)
	}
	return append([]uint8(nil), t.Data...), nil
}
