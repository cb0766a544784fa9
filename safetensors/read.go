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
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// maxHeader is the reference implementation's limit on the header's size.
const maxHeader = 100_000_000

// metadataKey is the header entry that holds the metadata, not a tensor.
const metadataKey = "__metadata__"

// MaxFileBytes is the size of the largest file Read reads and ReadInfo
// accepts, 16 GiB. Read holds a whole file in memory, so without a limit
// a wrong path (a sparse file, a disk image) would cost all of it before
// any check could fail. The limit is forty times the largest checkpoint
// this engine writes (AlexNet with its momentum, 0.4 GB) and three times
// the shards Hugging Face's tools write by default (5 GB), while a file
// above it would not fit in the memory of most machines anyway.
const MaxFileBytes = 16 << 30

// Read reads and validates the safetensors file at path (see Parse). The
// path must name a regular file of at most MaxFileBytes: a named pipe, a
// device or a larger file is refused before any of it is read.
func Read(path string) (*File, error) {
	b, err := hostfile.ReadFile(path, MaxFileBytes)
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
	n, err := headerLength(b, int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data := b[8+n:]
	f, infos, err := layout(b[8:8+n], uint64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.Name = name
	for _, t := range infos {
		f.Tensors[t.name] = Tensor{DType: t.dtype, Shape: t.shape, Data: data[t.begin:t.end:t.end]}
	}
	return f, nil
}

// Info is what the header of a safetensors file says: its metadata and
// each tensor's dtype and shape, without the tensors' data. A loader can
// check it before allocating anything for the tensors.
type Info struct {
	// Name is the path the header was read from, named in errors.
	Name string
	// Metadata is the header's "__metadata__" map, nil when it has none.
	Metadata map[string]string
	// Tensors maps each tensor's name to its Spec, whose Name is the key.
	Tensors map[string]Spec
}

// ReadInfo reads the header of the safetensors file at path and validates
// it as Read does, checking the tensors' data offsets against the file's
// size, but reads none of the tensors' data: it costs the header's size,
// however large the file. The file must be one Read would read: regular,
// and at most MaxFileBytes.
func ReadInfo(path string) (*Info, error) {
	f, fi, err := hostfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := hostfile.CheckSize(path, fi.Size(), MaxFileBytes); err != nil {
		return nil, err
	}
	return parseInfo(path, f, fi.Size())
}

// parseInfo reads and validates the header of a safetensors file of size
// bytes from r, which is at the file's start; errors begin with name.
func parseInfo(name string, r io.Reader, size int64) (*Info, error) {
	read := func(b []byte) error {
		_, err := io.ReadFull(r, b)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%s: shorter than the %d bytes it held when opened", name, size)
		}
		return err
	}
	var length [8]byte
	if size >= int64(len(length)) {
		if err := read(length[:]); err != nil {
			return nil, err
		}
	}
	n, err := headerLength(length[:], size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	header := make([]byte, n)
	if err := read(header); err != nil {
		return nil, err
	}
	f, infos, err := layout(header, uint64(size)-8-uint64(n))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	info := &Info{Name: name, Metadata: f.Metadata, Tensors: make(map[string]Spec, len(infos))}
	for _, t := range infos {
		info.Tensors[t.name] = Spec{Name: t.name, DType: t.dtype, Shape: t.shape}
	}
	return info, nil
}

// Check compares the tensors info describes with want, as File.Check
// compares a file's.
func (info *Info) Check(want []Spec) error {
	f := &File{Name: info.Name, Tensors: make(map[string]Tensor, len(info.Tensors))}
	for name, s := range info.Tensors {
		f.Tensors[name] = Tensor{DType: s.DType, Shape: s.Shape}
	}
	return f.Check(want)
}

// headerLength decodes the header length at the start of a file of size
// bytes, of which b holds at least the first 8 if there are 8, and checks
// it against the limit and the size.
func headerLength(b []byte, size int64) (int, error) {
	if size < 8 {
		return 0, fmt.Errorf("%d bytes, too short for the 8-byte header length", size)
	}
	switch n := binary.LittleEndian.Uint64(b); {
	case n > maxHeader:
		return 0, fmt.Errorf("header length %d exceeds the limit of %d bytes", n, maxHeader)
	case n > uint64(size-8):
		return 0, fmt.Errorf("header length %d runs past the end of the file (%d bytes)", n, size)
	default:
		return int(n), nil
	}
}

// layout decodes header and checks that the tensors it describes tile a
// data region of dataLen bytes exactly. It returns the File, without
// tensors, and the tensors in the order of their data.
func layout(header []byte, dataLen uint64) (*File, []tensorInfo, error) {
	if !utf8.Valid(header) {
		return nil, nil, errors.New("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, errors.New("header does not start with '{'")
	}
	f, infos, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
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
			return nil, nil, fmt.Errorf("tensor %q starts at byte %d of the data, leaving the bytes before it unused", t.name, t.begin)
		case t.begin > end:
			return nil, nil, fmt.Errorf("tensor %q starts at byte %d of the data, but tensor %q ends at %d: a gap", t.name, t.begin, prev, end)
		case t.begin < end:
			return nil, nil, fmt.Errorf("tensor %q starts at byte %d of the data, inside tensor %q, which ends at %d", t.name, t.begin, prev, end)
		case t.end > dataLen:
			return nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] run past the end of the data (%d bytes)", t.name, t.begin, t.end, dataLen)
		}
		end, prev = t.end, t.name
	}
	if end != dataLen {
		return nil, nil, fmt.Errorf("the tensors end at byte %d of the data, but it holds %d bytes", end, dataLen)
	}
	return f, infos, nil
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
