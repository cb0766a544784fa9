package safetensors

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tensorforge/tensorforge/internal/atomicfile"
)

// Write writes f to path atomically: into a temporary file in the same
// directory, synced to disk, then renamed over path, so that a crash
// leaves either the old file or the whole new one, never a part.
func Write(path string, f *File) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		err := Encode(w, f)
		if pe := (*fs.PathError)(nil); err != nil && !errors.As(err, &pe) {
			// A tensor Encode refused; the writer's errors name path already.
			err = fmt.Errorf("%s: %w", path, err)
		}
		return err
	})
}

// Encode writes f in the safetensors format to w, laid out as the
// reference implementation lays it out: tensors in decreasing order of
// alignment (element size), then by name, which for weights of a single
// dtype is by name; the header padded with spaces to a multiple of 8
// bytes, so that every tensor is aligned to its element size. A file of
// tensors with at most one metadata entry is then byte for byte the file
// safetensors.torch.save_file writes for them (the reference writes
// several metadata entries in no fixed order; Encode sorts them).
func Encode(w io.Writer, f *File) error {
	header, order, err := encodeHeader(f)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, name := range order {
		if _, err := w.Write(f.Tensors[name].Data); err != nil {
			return err
		}
	}
	return nil
}

// encodeHeader checks f's tensors and returns the padded header and the
// order of the tensors in the data.
func encodeHeader(f *File) ([]byte, []string, error) {
	names := slices.Collect(maps.Keys(f.Tensors))
	for _, name := range names {
		t := f.Tensors[name]
		if err := checkTensor(name, t); err != nil {
			return nil, nil, err
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(f.Tensors[b].DType.rank(), f.Tensors[a].DType.rank()); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})

	h := []byte{'{'}
	if f.Metadata != nil {
		h = appendString(h, metadataKey)
		h = append(h, ":{"...)
		for i, k := range slices.Sorted(maps.Keys(f.Metadata)) {
			if i > 0 {
				h = append(h, ',')
			}
			if !utf8.ValidString(k) || !utf8.ValidString(f.Metadata[k]) {
				return nil, nil, fmt.Errorf("metadata %q: not valid UTF-8", k)
			}
			h = appendString(h, k)
			h = append(h, ':')
			h = appendString(h, f.Metadata[k])
		}
		h = append(h, '}')
	}
	var off int
	for i, name := range names {
		t := f.Tensors[name]
		if i > 0 || f.Metadata != nil {
			h = append(h, ',')
		}
		h = appendString(h, name)
		h = append(h, `:{"dtype":`...)
		h = appendString(h, string(t.DType))
		h = append(h, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendInt(h, int64(off), 10)
		off += len(t.Data)
		h = append(h, ',')
		h = strconv.AppendInt(h, int64(off), 10)
		h = append(h, "]}"...)
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	return h, names, nil
}

// checkTensor checks what a reader would: a name that is not the
// metadata's, a dtype of the format, and as many bytes as the shape says.
func checkTensor(name string, t Tensor) error {
	switch {
	case name == metadataKey:
		return fmt.Errorf("tensor %q: the name is reserved for the metadata", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("tensor %q: the name is not valid UTF-8", name)
	case t.DType.Size() == 0:
		return fmt.Errorf("tensor %q: unknown dtype %q", name, t.DType)
	}
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", name, t.Shape)
		}
		n *= d
	}
	if want := n * t.DType.Size(); len(t.Data) != want {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, data holds %d", name, t.Shape, t.DType, want, len(t.Data))
	}
	return nil
}

// appendString appends s as a JSON string escaped as serde_json, the
// reference's encoder, escapes it (Go's encoding/json also escapes <, >,
// & and U+2028/9, which would change the bytes of the file).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
