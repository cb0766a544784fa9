package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxHeader is the reference implementation's limit on the header's size.
const maxHeader = 100_000_000

// metadataKey is the header entry that holds the metadata, not a tensor.
const metadataKey = "__metadata__"

// Read reads and validates the safetensors file at path (see Parse).
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse decodes the content b of a safetensors file, validating all of it
// as the reference implementation does: the header length against the
// size, the JSON (one object, no duplicate names, no unknown fields),
// every dtype, shape and pair of data offsets, and that the tensors tile
// the data region exactly, without gap or overlap. Errors begin with name,
// then the tensor and the problem. The tensors' Data share memory with b.
func Parse(name string, b []byte) (*File, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{name}, args...)...)
	}
	if len(b) < 8 {
		return nil, fail("%d bytes, too short for the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	switch {
	case n > maxHeader:
		return nil, fail("header length %d exceeds the limit of %d bytes", n, maxHeader)
	case n > uint64(len(b)-8):
		return nil, fail("header length %d runs past the end of the file (%d bytes)", n, len(b))
	}
	header, data := b[8:8+n], b[8+n:]
	if !utf8.Valid(header) {
		return nil, fail("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, fail("header does not start with '{'")
	}
	f, infos, err := parseHeader(header)
	if err != nil {
		return nil, fail("%w", err)
	}
	f.Name = name

	// Tensors laid out in file order must tile the data region.
	slices.SortFunc(infos, func(a, b tensorInfo) int {
		if c := cmp.Compare(a.begin, b.begin); c != 0 {
			return c
		}
		return cmp.Compare(a.end, b.end)
	})
	var end uint64
	prev := ""
	for i, t := range infos {
		switch {
		case t.begin > end && i == 0:
			return nil, fail("tensor %q starts at byte %d of the data, leaving the bytes before it unused", t.name, t.begin)
		case t.begin > end:
			return nil, fail("tensor %q starts at byte %d of the data, but tensor %q ends at %d: a gap", t.name, t.begin, prev, end)
		case t.begin < end:
			return nil, fail("tensor %q starts at byte %d of the data, inside tensor %q, which ends at %d", t.name, t.begin, prev, end)
		case t.end > uint64(len(data)):
			return nil, fail("tensor %q: data_offsets [%d, %d] run past the end of the data (%d bytes)", t.name, t.begin, t.end, len(data))
		}
		f.Tensors[t.name] = Tensor{DType: t.dtype, Shape: t.shape, Data: data[t.begin:t.end:t.end]}
		end, prev = t.end, t.name
	}
	if end != uint64(len(data)) {
		return nil, fail("the tensors end at byte %d of the data, but it holds %d bytes", end, len(data))
	}
	return f, nil
}

// tensorInfo is a header entry, checked on its own.
type tensorInfo struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

// parseHeader decodes the header's JSON object into a File without
// tensor data and the entries of its tensors.
func parseHeader(header []byte) (*File, []tensorInfo, error) {
	entries, err := members(header)
	if err != nil {
		return nil, nil, fmt.Errorf("header JSON: %w", err)
	}
	f := &File{Tensors: map[string]Tensor{}}
	var infos []tensorInfo
	for _, e := range entries {
		if e.key == metadataKey {
			if err := json.Unmarshal(e.raw, &f.Metadata); err != nil || f.Metadata == nil {
				return nil, nil, fmt.Errorf("%s: want an object of strings, got %s", metadataKey, abbrev(e.raw))
			}
			continue
		}
		info, err := parseEntry(e.key, e.raw)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", e.key, err)
		}
		infos = append(infos, info)
	}
	return f, infos, nil
}

// member is one key and value of a JSON object.
type member struct {
	key string
	raw json.RawMessage
}

// members splits the JSON object raw into its members, in order. It
// rejects a key given twice, which decoding into a map would resolve
// silently by keeping the last, and anything but spaces after the object
// (the reference pads the header with spaces, nothing else).
func members(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want an object, got %s", abbrev(raw))
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		key := tok.(string) // the decoder admits only strings as keys
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, unexpectedEOF(err))
		}
		if seen[key] {
			return nil, fmt.Errorf("%q appears twice", key)
		}
		seen[key] = true
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, unexpectedEOF(err)
	}
	if rest := bytes.TrimLeft(raw[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, fmt.Errorf("%s after the object", abbrev(rest))
	}
	return out, nil
}

// unexpectedEOF says what a decoder's bare io.EOF means inside an object.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("the JSON ends before the object closes")
	}
	return err
}

// parseEntry checks one tensor's entry: known fields, all present, a
// known dtype, and data offsets whose span fits the shape exactly.
func parseEntry(name string, raw json.RawMessage) (tensorInfo, error) {
	ms, err := members(raw)
	if err != nil {
		return tensorInfo{}, err
	}
	fields := map[string]json.RawMessage{}
	for _, m := range ms {
		if m.key != "dtype" && m.key != "shape" && m.key != "data_offsets" {
			return tensorInfo{}, fmt.Errorf("unknown field %q", m.key)
		}
		fields[m.key] = m.raw
	}
	info := tensorInfo{name: name}
	var dtype string
	if err := json.Unmarshal(fields["dtype"], &dtype); err != nil || fields["dtype"] == nil {
		return tensorInfo{}, fmt.Errorf("dtype: want a string, got %s", abbrev(fields["dtype"]))
	}
	info.dtype = DType(dtype)
	if info.dtype.Size() == 0 {
		return tensorInfo{}, fmt.Errorf("unknown dtype %q", dtype)
	}
	shape, ok := uints(fields["shape"])
	if !ok {
		return tensorInfo{}, fmt.Errorf("shape: want an array of non-negative integers, got %s", abbrev(fields["shape"]))
	}
	offsets, ok := uints(fields["data_offsets"])
	if !ok || len(offsets) != 2 || offsets[0] > offsets[1] {
		return tensorInfo{}, fmt.Errorf("data_offsets: want [begin, end] with begin <= end, got %s", abbrev(fields["data_offsets"]))
	}
	info.begin, info.end = offsets[0], offsets[1]

	count := uint64(1)
	info.shape = make([]int, len(shape))
	for i, d := range shape {
		hi, lo := bits.Mul64(count, d)
		if hi != 0 || d > math.MaxInt {
			return tensorInfo{}, fmt.Errorf("shape %v: more elements than this machine can address", shape)
		}
		count, info.shape[i] = lo, int(d)
	}
	hi, size := bits.Mul64(count, uint64(info.dtype.Size()))
	if hi != 0 || size != info.end-info.begin {
		return tensorInfo{}, fmt.Errorf("shape %v of %s needs %d elements of %d bytes, but data_offsets [%d, %d] span %d bytes",
			shape, info.dtype, count, info.dtype.Size(), info.begin, info.end, info.end-info.begin)
	}
	return info, nil
}

// uints decodes a JSON array of non-negative integers, rejecting
// fractions, exponents, strings and null, which a decoder into []uint64
// would variously accept or describe poorly.
func uints(raw json.RawMessage) ([]uint64, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vs []any
	if raw == nil || dec.Decode(&vs) != nil || vs == nil {
		return nil, false
	}
	out := make([]uint64, len(vs))
	for i, v := range vs {
		n, ok := v.(json.Number)
		if !ok {
			return nil, false
		}
		u, err := strconv.ParseUint(n.String(), 10, 64)
		if err != nil {
			return nil, false
		}
		out[i] = u
	}
	return out, true
}

// abbrev quotes at most 40 bytes of raw JSON for an error message.
func abbrev(raw []byte) string {
	if raw == nil {
		return "nothing"
	}
	if len(raw) > 40 {
		return strconv.Quote(string(raw[:40])) + "..."
	}
	return strconv.Quote(string(raw))
}
