package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func encode(t *testing.T, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// le32 is the little-endian bytes of the float32s 0, 1, 2, 3, 4, 5.
var le32 = []byte{
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40,
	0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40,
}

// TestEncodeBytes compares Encode's output with files written out by hand
// from the format's description: the header's length as 8 little-endian
// bytes, the compact JSON header padded with spaces to a multiple of 8,
// then the data. The first two are also the reference implementation's
// own serialization test vectors.
func TestEncodeBytes(t *testing.T) {
	v := []float32{0, 1, 2, 3, 4, 5}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name string
		f    *File
		want []byte
	}{{
		"no padding",
		&File{Tensors: map[string]Tensor{"attn.0": FromFloat32([]int{1, 2, 3}, v)}},
		cat([]byte{64, 0, 0, 0, 0, 0, 0, 0},
			[]byte(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`),
			le32),
	}, {
		"padded",
		&File{Tensors: map[string]Tensor{"attn0": FromFloat32([]int{1, 1, 2, 3}, v)}},
		cat([]byte{72, 0, 0, 0, 0, 0, 0, 0},
			[]byte(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `),
			le32),
	}, {
		"empty",
		&File{},
		cat([]byte{8, 0, 0, 0, 0, 0, 0, 0}, []byte(`{}      `)),
	}, {
		"metadata only",
		&File{Metadata: map[string]string{"framework": "pt"}},
		cat([]byte{40, 0, 0, 0, 0, 0, 0, 0}, []byte(`{"__metadata__":{"framework":"pt"}}     `)),
	}, {
		// Decreasing alignment, then names: b (F32), c then a (I32), d (U8).
		"mixed dtypes",
		&File{
			Metadata: map[string]string{"z": "1", "a": "<&>"},
			Tensors: map[string]Tensor{
				"d": FromUint8([]int{3}, []uint8{7, 8, 9}),
				"c": FromInt32([]int{1}, []int32{-2}),
				"b": FromFloat32([]int{}, []float32{1}),
				"a": FromInt32([]int{2}, []int32{1, 2}),
			}},
		cat([]byte{0, 1, 0, 0, 0, 0, 0, 0},
			[]byte(`{"__metadata__":{"a":"<&>","z":"1"},`+
				`"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]},`+
				`"a":{"dtype":"I32","shape":[2],"data_offsets":[4,12]},`+
				`"c":{"dtype":"I32","shape":[1],"data_offsets":[12,16]},`+
				`"d":{"dtype":"U8","shape":[3],"data_offsets":[16,19]}}`+"     "),
			[]byte{0x00, 0x00, 0x80, 0x3f, 1, 0, 0, 0, 2, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 7, 8, 9}),
	}, {
		"escapes",
		&File{Tensors: map[string]Tensor{"q\"\\\n\x01é": FromUint8([]int{0}, nil)}},
		cat([]byte{72, 0, 0, 0, 0, 0, 0, 0},
			[]byte(`{"q\"\\\n\u0001é":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`+"     ")),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := encode(t, tc.f); !bytes.Equal(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if _, err := Parse("x", tc.want); err != nil {
				t.Errorf("the expected bytes do not parse: %v", err)
			}
		})
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	in := &File{
		Metadata: map[string]string{"format": "pt", "note": "line\nbreak \"quoted\" \u2028"},
		Tensors: map[string]Tensor{
			"conv1.weight": FromFloat32([]int{2, 1, 2, 3}, []float32{1, -2, 3.5, 0, -0, 1e-30, 3e38, 7, 8, 9, 10, 11}),
			"conv1.bias":   FromFloat32([]int{2}, []float32{0.25, -0.5}),
			"labels":       FromInt32([]int{3}, []int32{0, -1, 2147483647}),
			"pixels":       FromUint8([]int{2, 2}, []uint8{0, 128, 255, 1}),
			"empty":        FromFloat32([]int{0, 5}, nil),
			"scalar":       FromFloat32(nil, []float32{42}),
		},
	}
	if err := Write(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Name != path || len(out.Tensors) != len(in.Tensors) || len(out.Metadata) != 2 || out.Metadata["note"] != in.Metadata["note"] {
		t.Fatalf("read back %s with metadata %q and %d tensors", out.Name, out.Metadata, len(out.Tensors))
	}
	for name, want := range in.Tensors {
		got := out.Tensors[name]
		if got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: got %s %v %v, want %s %v %v", name, got.DType, got.Shape, got.Data, want.DType, want.Shape, want.Data)
		}
	}
	if v, err := out.Tensors["conv1.bias"].Float32s(); err != nil || !slices.Equal(v, []float32{0.25, -0.5}) {
		t.Errorf("conv1.bias: %v, %v", v, err)
	}
	if v, err := out.Tensors["labels"].Int32s(); err != nil || !slices.Equal(v, []int32{0, -1, 2147483647}) {
		t.Errorf("labels: %v, %v", v, err)
	}
	if v, err := out.Tensors["pixels"].Uint8s(); err != nil || !slices.Equal(v, []uint8{0, 128, 255, 1}) {
		t.Errorf("pixels: %v, %v", v, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v: want 0644", fi.Mode(), err)
	}
}

// TestWriteFailureKeepsOld checks that a failed Write leaves the file it
// would have replaced as it was, and no temporary file behind.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	old := &File{Tensors: map[string]Tensor{"w": FromFloat32([]int{1}, []float32{1})}}
	if err := Write(path, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := &File{Tensors: map[string]Tensor{"w": {DType: F32, Shape: []int{2}, Data: make([]byte, 4)}}}
	err := Write(path, bad)
	want := path + `: tensor "w": shape [2] of F32 needs 8 bytes, data holds 4`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	after, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if !bytes.Equal(before, after) || len(entries) != 1 {
		t.Errorf("the old file changed or a temporary file remains: %d entries", len(entries))
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Tensor
		want string
	}{
		{"__metadata__", FromUint8([]int{1}, []uint8{1}), `tensor "__metadata__": the name is reserved for the metadata`},
		{"x", Tensor{DType: "F4", Shape: []int{1}, Data: []byte{1}}, `tensor "x": unknown dtype "F4"`},
		{"x", Tensor{DType: U8, Shape: []int{-1}}, `tensor "x": negative dimension in shape [-1]`},
		{"\xff", FromUint8([]int{1}, []uint8{1}), `tensor "\xff": the name is not valid UTF-8`},
	} {
		err := Encode(&bytes.Buffer{}, &File{Tensors: map[string]Tensor{tc.name: tc.t}})
		if err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
	err := Encode(&bytes.Buffer{}, &File{Metadata: map[string]string{"k": "\xff"}})
	if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("metadata of invalid UTF-8: got %v", err)
	}
}
