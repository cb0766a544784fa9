package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/internal/hostfile/hostfiletest"
)

// raw returns a file of the given header, unpadded, and data.
func raw(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

const w8 = `"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`

// parseErrors are files Parse refuses, with the error, less the name.
var parseErrors = []struct {
	name string
	file []byte
	want string
}{
	{"short", []byte{1, 0, 0}, "3 bytes, too short for the 8-byte header length"},
	{"header too large", append(binary.LittleEndian.AppendUint64(nil, maxHeader+1), "{}"...), "header length 100000001 exceeds the limit of 100000000 bytes"},
	{"header past end", append(binary.LittleEndian.AppendUint64(nil, 10), "{}"...), "header length 10 runs past the end of the file (10 bytes)"},
	{"not utf-8", raw("{\"\xff\":1}", nil), "header is not valid UTF-8"},
	{"not an object", raw(`[1, 2]`, nil), "header does not start with '{'"},
	{"empty header", raw(``, nil), "header does not start with '{'"},
	{"bad json", raw(`{"w":}`, nil), `header JSON: value of "w": invalid character '}' looking for beginning of value`},
	{"unclosed", raw(`{"w":{}`, nil), `header JSON: the JSON ends before the object closes`},
	{"cut in a value", raw(`{"w":{"dtype":`, nil), `header JSON: value of "w": unexpected EOF`},
	{"trailing", raw(`{} x`, nil), `header JSON: "x" after the object`},
	{"duplicate", raw(`{`+w8+`,`+w8+`}`, make([]byte, 8)), `header JSON: "w" appears twice`},
	{"metadata not strings", raw(`{"__metadata__":{"a":1}}`, nil), `__metadata__: want an object of strings, got "{\"a\":1}"`},
	{"metadata null", raw(`{"__metadata__":null}`, nil), `__metadata__: want an object of strings, got "null"`},
	{"entry not object", raw(`{"w":[1]}`, nil), `tensor "w": want an object, got "[1]"`},
	{"unknown field", raw(`{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4],"extra":1}}`, make([]byte, 4)), `tensor "w": unknown field "extra"`},
	{"field twice", raw(`{"w":{"dtype":"F32","dtype":"U8","shape":[],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": "dtype" appears twice`},
	{"no dtype", raw(`{"w":{"shape":[],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": dtype: want a string, got nothing`},
	{"unknown dtype", raw(`{"w":{"dtype":"F128","shape":[],"data_offsets":[0,16]}}`, make([]byte, 16)), `tensor "w": unknown dtype "F128"`},
	{"no shape", raw(`{"w":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": shape: want an array of non-negative integers, got nothing`},
	{"negative dim", raw(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": shape: want an array of non-negative integers, got "[-1]"`},
	{"fractional dim", raw(`{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": shape: want an array of non-negative integers, got "[1.5]"`},
	{"string dim", raw(`{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": shape: want an array of non-negative integers, got "[\"1\"]"`},
	{"null shape", raw(`{"w":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "w": shape: want an array of non-negative integers, got "null"`},
	{"reversed offsets", raw(`{"w":{"dtype":"F32","shape":[],"data_offsets":[4,0]}}`, make([]byte, 4)), `tensor "w": data_offsets: want [begin, end] with begin <= end, got "[4,0]"`},
	{"three offsets", raw(`{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4,8]}}`, make([]byte, 4)), `tensor "w": data_offsets: want [begin, end] with begin <= end, got "[0,4,8]"`},
	{"shape vs bytes", raw(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "w": shape [3] of F32 needs 3 elements of 4 bytes, but data_offsets [0, 8] span 8 bytes`},
	{"overflow", raw(`{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "w": shape [4294967296 4294967296]: more elements than this machine can address`},
	{"bytes overflow", raw(`{"w":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}}`, nil), `tensor "w": shape [4611686018427387904] of F64 needs 4611686018427387904 elements of 8 bytes, but data_offsets [0, 0] span 0 bytes`},
	{"not at start", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, make([]byte, 2)), `tensor "w" starts at byte 1 of the data, leaving the bytes before it unused`},
	{"gap", raw(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}`, make([]byte, 3)), `tensor "b" starts at byte 2 of the data, but tensor "a" ends at 1: a gap`},
	{"overlap", raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, make([]byte, 2)), `tensor "b" starts at byte 1 of the data, inside tensor "a", which ends at 2`},
	{"past end", raw(`{`+w8+`}`, make([]byte, 7)), `tensor "w": data_offsets [0, 8] run past the end of the data (7 bytes)`},
	{"data left over", raw(`{`+w8+`}`, make([]byte, 9)), `the tensors end at byte 8 of the data, but it holds 9 bytes`},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrors {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("m.safetensors", tc.file)
			if want := "m.safetensors: " + tc.want; err == nil || err.Error() != want {
				t.Errorf("got error %v\nwant %s", err, want)
			}
		})
	}
}

// TestParseAnyOrder reads a header written by hand as older writers and
// other tools write them: entries out of offset order, spaces and
// newlines, no padding, and metadata last.
func TestParseAnyOrder(t *testing.T) {
	header := `{
  "b": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]},
  "a": {"shape": [1], "data_offsets": [0, 4], "dtype": "I32"},
  "z": {"dtype": "F32", "shape": [0, 3], "data_offsets": [6, 6]},
  "__metadata__": {"format": "pt"}
}`
	f, err := Parse("x", raw(header, []byte{5, 0, 0, 0, 8, 9}))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Tensors["a"].Int32s()
	b, _ := f.Tensors["b"].Uint8s()
	if !slices.Equal(a, []int32{5}) || !slices.Equal(b, []uint8{8, 9}) || f.Tensors["z"].Len() != 0 || f.Metadata["format"] != "pt" {
		t.Errorf("a %v, b %v, z %v, metadata %v", a, b, f.Tensors["z"], f.Metadata)
	}
}

func TestReadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.safetensors")
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
	if err := os.WriteFile(path, []byte("not a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
}

// TestReadNotRegular gives Read and ReadInfo what a -load flag might name
// by mistake: each must be refused at once, with an error saying what it
// is, not block on a pipe or read /dev/zero until memory runs out.
func TestReadNotRegular(t *testing.T) {
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		refused(t, dir, dir+": is a directory, want a regular file")
	})
	t.Run("device", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip(err)
		}
		refused(t, "/dev/zero", "/dev/zero: is a character device, want a regular file")
	})
	t.Run("named pipe", func(t *testing.T) {
		pipe := filepath.Join(t.TempDir(), "pipe.safetensors")
		hostfiletest.FIFO(t, pipe)
		refused(t, pipe, pipe+": is a named pipe, want a regular file")
	})
}

// refused checks that Read and ReadInfo refuse path promptly with want.
func refused(t *testing.T, path, want string) {
	t.Helper()
	hostfiletest.Within(t, 5*time.Second, "Read and ReadInfo of "+path, func() {
		if _, err := Read(path); err == nil || err.Error() != want {
			t.Errorf("Read: got %v, want %s", err, want)
		}
		if _, err := ReadInfo(path); err == nil || err.Error() != want {
			t.Errorf("ReadInfo: got %v, want %s", err, want)
		}
	})
}

// TestReadTooLarge reads a 30 GiB sparse file, which Read would otherwise
// try to hold in memory.
func TestReadTooLarge(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("a 32-bit machine caps the limit at 2 GiB")
	}
	path := filepath.Join(t.TempDir(), "alexnet.safetensors")
	hostfiletest.Sparse(t, path, 30<<30)
	refused(t, path, path+": 30.0 GiB, more than the 16.0 GiB limit")
}

// seedFile is a file with metadata and tensors of four dtypes, one of them
// a scalar (shape []), as PyTorch's num_batches_tracked.
var seedFile = &File{
	Metadata: map[string]string{"format": "pt", "hidden": "4096"},
	Tensors: map[string]Tensor{
		"w": FromFloat32([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		"b": FromInt32([]int{2}, []int32{7, 8}),
		"p": FromUint8([]int{0}, nil),
		"n": FromInt64([]int{}, []int64{1 << 20}),
	},
}

func TestReadInfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Write(path, seedFile); err != nil {
		t.Fatal(err)
	}
	info, err := ReadInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != path || !maps.Equal(info.Metadata, seedFile.Metadata) || len(info.Tensors) != len(seedFile.Tensors) {
		t.Errorf("got %+v", info)
	}
	var want []Spec
	for name, x := range seedFile.Tensors {
		if s := info.Tensors[name]; s.Name != name || s.DType != x.DType || !slices.Equal(s.Shape, x.Shape) {
			t.Errorf("tensor %q: got %+v, want %s %v", name, s, x.DType, x.Shape)
		}
		want = append(want, Spec{Name: name, DType: x.DType, Shape: x.Shape})
	}
	if err := info.Check(want); err != nil {
		t.Errorf("Check against the file's own tensors: %v", err)
	}
	want[0].Shape = []int{99}
	wantErr := fmt.Sprintf("%s: tensor %q has shape %v, want [99]", path, want[0].Name, seedFile.Tensors[want[0].Name].Shape)
	if err := info.Check(want); err == nil || err.Error() != wantErr {
		t.Errorf("Check against a wrong shape: got %v, want %s", err, wantErr)
	}
}

// TestReadInfoReadsNoData reads the header of a file whose one tensor
// takes 8 GiB, made sparse: the header is all ReadInfo may read.
func TestReadInfoReadsNoData(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("a 32-bit machine cannot address the tensor")
	}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	head := raw(`{"__metadata__":{"hidden":"1000000000"},"w":{"dtype":"F32","shape":[2,1073741824],"data_offsets":[0,8589934592]}}`, nil)
	if err := os.WriteFile(path, head, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(head))+8<<30); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	info, err := ReadInfo(path)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if s := info.Tensors["w"]; !slices.Equal(s.Shape, []int{2, 1 << 30}) || info.Metadata["hidden"] != "1000000000" {
		t.Errorf("got %+v", info)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("ReadInfo allocated %d bytes, want the header's few hundred", n)
	}
}

// TestReadInfoErrors checks that ReadInfo refuses every file Parse does,
// with the same error, including those whose data is too short or too
// long, which ReadInfo knows only from the file's size.
func TestReadInfoErrors(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range parseErrors {
		path := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(path, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadInfo(path); err == nil || err.Error() != path+": "+tc.want {
			t.Errorf("%s: got %v\nwant %s: %s", tc.name, err, path, tc.want)
		}
	}
}

// TestParseInfoShortRead gives the header parser a file that ends before
// the size it had when opened.
func TestParseInfoShortRead(t *testing.T) {
	b := raw(`{`+w8+`}`, make([]byte, 8))
	want := "f: shorter than the 100 bytes it held when opened"
	for _, n := range []int{0, 5, 20} {
		if _, err := parseInfo("f", bytes.NewReader(b[:n]), 100); err == nil || err.Error() != want {
			t.Errorf("%d bytes: got %v, want %s", n, err, want)
		}
	}
}

func TestFloat32Conversions(t *testing.T) {
	le16 := func(hs ...uint16) []byte {
		var b []byte
		for _, h := range hs {
			b = binary.LittleEndian.AppendUint16(b, h)
		}
		return b
	}
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		t    Tensor
		want []float32
	}{
		// 1, -2, 65504 (largest), 2^-24 (smallest subnormal), 2^-14
		// (smallest normal), -0, +Inf, -Inf.
		{Tensor{DType: F16, Shape: []int{8}, Data: le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00)},
			[]float32{1, -2, 65504, 0x1p-24, 0x1p-14, float32(math.Copysign(0, -1)), inf, -inf}},
		{Tensor{DType: BF16, Shape: []int{3}, Data: le16(0x3f80, 0xc049, 0x7f80)}, []float32{1, -3.140625, inf}},
		{Tensor{DType: F64, Shape: []int{2}, Data: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil,
			math.Float64bits(0.1)), math.Float64bits(-1e300))}, []float32{0.1, -inf}},
	} {
		got, err := tc.t.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(tc.want[i]) {
				t.Errorf("%s element %d: got %v, want %v", tc.t.DType, i, got[i], tc.want[i])
			}
		}
	}
	nan, _ := Tensor{DType: F16, Shape: []int{1}, Data: le16(0x7e00)}.Float32s()
	if !math.IsNaN(float64(nan[0])) {
		t.Errorf("F16 0x7e00 gave %v, want NaN", nan[0])
	}
}

func TestConversionErrors(t *testing.T) {
	i64 := binary.LittleEndian.AppendUint64(nil, 1<<40)
	if _, err := (Tensor{DType: I64, Shape: []int{1}, Data: i64}).Int32s(); err == nil || err.Error() != "element 0 is 1099511627776, outside the range of int32" {
		t.Errorf("I64 out of range: %v", err)
	}
	ok := binary.LittleEndian.AppendUint64(nil, math.MaxUint64) // -1
	if v, err := (Tensor{DType: I64, Shape: []int{1}, Data: ok}).Int32s(); err != nil || v[0] != -1 {
		t.Errorf("I64 -1: %v, %v", v, err)
	}
	u8 := FromUint8([]int{1}, []uint8{1})
	if _, err := u8.Float32s(); err == nil || err.Error() != "dtype U8: want F32, F16, BF16 or F64 for float32 values" {
		t.Errorf("Float32s of U8: %v", err)
	}
	if _, err := u8.Int32s(); err == nil || err.Error() != "dtype U8: want I32 or I64 for int32 values" {
		t.Errorf("Int32s of U8: %v", err)
	}
	if _, err := FromInt32([]int{1}, []int32{1}).Uint8s(); err == nil || err.Error() != "dtype I32: want U8 for uint8 values" {
		t.Errorf("Uint8s of I32: %v", err)
	}
}

func TestReadFloat32s(t *testing.T) {
	f32 := FromFloat32([]int{3}, []float32{1, -2.5, 3e38})
	dst := make([]float32, 3)
	if err := f32.ReadFloat32s(dst); err != nil || dst[0] != 1 || dst[1] != -2.5 || dst[2] != 3e38 {
		t.Errorf("F32: %v, %v", dst, err)
	}
	if err := f32.ReadFloat32s(make([]float32, 2)); err == nil || err.Error() != "a tensor of 3 elements read into 2" {
		t.Errorf("short destination: %v", err)
	}
	if err := FromInt32([]int{1}, []int32{1}).ReadFloat32s(make([]float32, 1)); err == nil || err.Error() != "dtype I32: want F32, F16, BF16 or F64 for float32 values" {
		t.Errorf("I32: %v", err)
	}
	if err := (Tensor{DType: F32}).ReadFloat32s(nil); err != nil {
		t.Errorf("empty: %v", err)
	}
}
