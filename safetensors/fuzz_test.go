package safetensors

import (
	"bytes"
	"encoding/binary"
	"maps"
	"slices"
	"testing"
)

// fuzzSeeds are files for both fuzz targets to start from: well formed,
// cut short, and headers a careless loader would trust, such as metadata
// sizing a model of a billion units or shapes of more elements than fit
// in memory.
func fuzzSeeds(f *testing.F) [][]byte {
	var buf bytes.Buffer
	if err := Encode(&buf, seedFile); err != nil {
		f.Fatal(err)
	}
	return [][]byte{
		buf.Bytes(),
		buf.Bytes()[:buf.Len()-1],
		raw(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[],"data_offsets":[2,4]}}`, []byte{0, 0x3c, 0x80, 0x3f}),
		raw(`{"__metadata__":{"a":"b"}}`, nil),
		raw(`{"__metadata__":{"hidden":"1000000000"}}`, nil),
		raw(`{"__metadata__":{"size":"4611686018427387904","classes":"-1"},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7}),
		raw(`{"w":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4000000000000000000]}}`, nil),
		raw(`{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil),
		raw(`{"w":{"dtype":"U8","shape":[9223372036854775807],"data_offsets":[0,9223372036854775807]}}`, nil),
		raw(`{"w":{"dtype":"U8","shape":[0,18446744073709551615],"data_offsets":[0,0]}}`, nil),
		raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2}),
		{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '},
	}
}

// FuzzRead checks that Parse never panics, that whatever it accepts
// encodes to a file that parses back to the same tensors, and that the
// header-only reader behind ReadInfo refuses the same files with the same
// errors and describes the files it accepts as Parse does.
func FuzzRead(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("fuzz", b)
		info, infoErr := parseInfo("fuzz", bytes.NewReader(b), int64(len(b)))
		if (err == nil) != (infoErr == nil) || err != nil && err.Error() != infoErr.Error() {
			t.Fatalf("Parse: %v\nparseInfo: %v", err, infoErr)
		}
		if err != nil {
			return
		}
		if !maps.Equal(file.Metadata, info.Metadata) || len(file.Tensors) != len(info.Tensors) {
			t.Fatalf("Parse found metadata %v and %d tensors, parseInfo %v and %d", file.Metadata, len(file.Tensors), info.Metadata, len(info.Tensors))
		}
		for name, x := range file.Tensors {
			if s := info.Tensors[name]; s.Name != name || s.DType != x.DType || !slices.Equal(s.Shape, x.Shape) {
				t.Fatalf("tensor %q is %s %v to Parse, %+v to parseInfo", name, x.DType, x.Shape, s)
			}
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

// FuzzReadInfo gives the header-only reader a file's first bytes b and a
// size of extra bytes more than b holds, as a file with a large data
// region has: it must never panic or read past the header, and the
// tensors of a header it accepts must fill exactly the data the size
// leaves after the header.
func FuzzReadInfo(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b, uint64(0))
	}
	f.Add(raw(`{"w":{"dtype":"F32","shape":[2,1073741824],"data_offsets":[0,8589934592]}}`, nil), uint64(8<<30))
	f.Add(raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, nil), uint64(1))
	f.Fuzz(func(t *testing.T, b []byte, extra uint64) {
		size := int64(len(b)) + int64(min(extra, MaxFileBytes))
		r := bytes.NewReader(b)
		info, err := parseInfo("fuzz", r, size)
		read := uint64(len(b) - r.Len())
		var n uint64
		if len(b) >= 8 {
			n = binary.LittleEndian.Uint64(b)
		}
		if read > 8 && read-8 > n {
			t.Fatalf("read %d bytes of a file whose header ends at byte 8+%d", read, n)
		}
		if err != nil {
			return
		}
		if read != 8+n {
			t.Fatalf("accepted a header of %d bytes after reading %d", n, read)
		}
		data := uint64(size) - 8 - n
		var sum uint64
		for name, s := range info.Tensors {
			need := uint64(s.DType.Size())
			for _, d := range s.Shape {
				need *= uint64(d)
			}
			if need > data {
				t.Fatalf("tensor %q of %s %v takes more than the %d bytes of data", name, s.DType, s.Shape, data)
			}
			sum += need
		}
		if sum != data {
			t.Fatalf("the tensors take %d bytes, the data region is %d", sum, data)
		}
	})
}
