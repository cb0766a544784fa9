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
	"unsafe"
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

// FromInt64 returns an I64 tensor of the given shape holding a copy of v.
func FromInt64(shape []int, v []int64) Tensor {
	t := newTensor(I64, shape, len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(t.Data[8*i:], uint64(x))
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
	if !isFloat(t.DType) {
		return nil, errNotFloat(t.DType)
	}
	out := make([]float32, len(t.Data)/t.DType.Size())
	return out, t.ReadFloat32s(out)
}

// ReadFloat32s writes the elements of an F32, F16, BF16 or F64 tensor
// into dst as Float32s converts them, allocating nothing: a loader fills
// its own buffer, and a model's 187 MB of weights are not copied once more
// than they must be. dst must hold exactly the tensor's elements.
func (t Tensor) ReadFloat32s(dst []float32) error {
	if !isFloat(t.DType) {
		return errNotFloat(t.DType)
	}
	d := t.Data
	if n := len(d) / t.DType.Size(); len(dst) != n {
		return fmt.Errorf("a tensor of %d elements read into %d", n, len(dst))
	}
	switch t.DType {
	case F32:
		if littleEndian && len(dst) > 0 {
			// The file's bytes are the floats' own: one copy.
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(d)), d)
			return nil
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = halfToFloat32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = bfloat16ToFloat32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(d[8*i:])))
		}
	}
	return nil
}

// littleEndian reports whether this machine stores a float32's bytes as
// the format does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

func isFloat(d DType) bool { return d == F32 || d == F16 || d == BF16 || d == F64 }

func errNotFloat(d DType) error {
	return fmt.Errorf("dtype %s: want F32, F16, BF16 or F64 for float32 values", d)
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
