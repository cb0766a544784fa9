package safetensors

import (
	"bytes"
	"maps"
	"slices"
	"testing"
)

// FuzzRead checks that Parse never panics, and that whatever it accepts
// encodes to a file that parses back to the same tensors.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	seed := &File{
		Metadata: map[string]string{"format": "pt"},
		Tensors: map[string]Tensor{
			"w": FromFloat32([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
			"b": FromInt32([]int{2}, []int32{7, 8}),
			"p": FromUint8([]int{0}, nil),
		},
	}
	if err := Encode(&buf, seed); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-1])
	f.Add(raw(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[],"data_offsets":[2,4]}}`, []byte{0, 0x3c, 0x80, 0x3f}))
	f.Add(raw(`{"__metadata__":{"a":"b"}}`, nil))
	f.Add(raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2}))
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '})
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("fuzz", b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Encode(&out, file); err != nil {
			t.Fatalf("a parsed file does not encode: %v", err)
		}
		again, err := Parse("again", out.Bytes())
		if err != nil {
			t.Fatalf("an encoded file does not parse: %v", err)
		}
		if !maps.Equal(file.Metadata, again.Metadata) || len(file.Tensors) != len(again.Tensors) {
			t.Fatalf("metadata %v became %v; %d tensors became %d", file.Metadata, again.Metadata, len(file.Tensors), len(again.Tensors))
		}
		for name, x := range file.Tensors {
			y := again.Tensors[name]
			if x.DType != y.DType || !slices.Equal(x.Shape, y.Shape) || !bytes.Equal(x.Data, y.Data) {
				t.Fatalf("tensor %q changed in a round trip", name)
			}
			if _, err := x.Float32s(); err != nil && (x.DType == F32 || x.DType == F16 || x.DType == BF16 || x.DType == F64) {
				t.Fatalf("tensor %q of %s: %v", name, x.DType, err)
			}
		}
	})
}
