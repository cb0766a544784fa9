package fashionmnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
)

// The IDX magic numbers: two zero bytes, the element type (0x08, unsigned
// byte) and the number of dimensions.
const (
	imagesMagic = 0x00000803
	labelsMagic = 0x00000801
)

// Images is the content of an IDX image file: N images of Rows x Cols
// unsigned bytes each, row-major, one after another.
type Images struct {
	N, Rows, Cols int
	Pixels        []uint8
}

// ReadImages reads an IDX image file (magic 0x00000803) from r, gzipped or
// not. name is the file's name for error messages.
func ReadImages(r io.Reader, name string) (*Images, error) {
	rd, err := decompress(r, name)
	if err != nil {
		return nil, err
	}
	var h [16]byte
	if err := readHeader(rd, name, h[:], "image"); err != nil {
		return nil, err
	}
	if err := checkMagic(name, binary.BigEndian.Uint32(h[0:]), imagesMagic); err != nil {
		return nil, err
	}
	n, rows, cols := binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:]), binary.BigEndian.Uint32(h[12:])
	what := fmt.Sprintf("%d images of %dx%d", n, rows, cols)
	if rows == 0 || cols == 0 {
		return nil, fmt.Errorf("%s: header says %s: an image needs at least one pixel", name, what)
	}
	perImage := uint64(rows) * uint64(cols)
	hi, size := bits.Mul64(uint64(n), perImage)
	if hi != 0 || size >= math.MaxInt {
		return nil, fmt.Errorf("%s: header says %s: more bytes than this machine can address", name, what)
	}
	pixels, err := readBody(rd, name, what, int(size), int(perImage))
	if err != nil {
		return nil, err
	}
	return &Images{N: int(n), Rows: int(rows), Cols: int(cols), Pixels: pixels}, nil
}

// ReadLabels reads an IDX label file (magic 0x00000801) from r, gzipped or
// not, and checks that every label is a class index, 0..NumClasses-1.
func ReadLabels(r io.Reader, name string) ([]uint8, error) {
	rd, err := decompress(r, name)
	if err != nil {
		return nil, err
	}
	var h [8]byte
	if err := readHeader(rd, name, h[:], "label"); err != nil {
		return nil, err
	}
	if err := checkMagic(name, binary.BigEndian.Uint32(h[0:]), labelsMagic); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(h[4:])
	if uint64(n) >= math.MaxInt {
		return nil, fmt.Errorf("%s: header says %d labels: more bytes than this machine can address", name, n)
	}
	labels, err := readBody(rd, name, fmt.Sprintf("%d labels", n), int(n), 1)
	if err != nil {
		return nil, err
	}
	for i, l := range labels {
		if l >= NumClasses {
			return nil, fmt.Errorf("%s: label %d is %d, want 0..%d", name, i, l, NumClasses-1)
		}
	}
	return labels, nil
}

// ReadImagesFile reads the IDX image file at path (see ReadImages).
func ReadImagesFile(path string) (*Images, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadImages(f, path)
}

// ReadLabelsFile reads the IDX label file at path (see ReadLabels).
func ReadLabelsFile(path string) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLabels(f, path)
}

// decompress returns a reader of r's content, gunzipping it when it starts
// with gzip's magic bytes: the name of a file says nothing reliable, as
// torchvision keeps both forms and some mirrors serve the raw files as .gz.
func decompress(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: truncated: the gzip header is cut short", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return zr, nil
}

// readHeader fills h from rd, reporting a short file as truncated.
func readHeader(rd io.Reader, name string, h []byte, kind string) error {
	n, err := io.ReadFull(rd, h)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: truncated: %d bytes, an IDX %s header needs %d", name, n, kind, len(h))
	case err != nil:
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func checkMagic(name string, got, want uint32) error {
	if got == want {
		return nil
	}
	kind := map[uint32]string{imagesMagic: "images", labelsMagic: "labels"}
	if other, ok := kind[got]; ok {
		return fmt.Errorf("%s: magic 0x%08x marks an IDX file of %s, want 0x%08x (%s)", name, got, other, want, kind[want])
	}
	return fmt.Errorf("%s: magic 0x%08x, want 0x%08x (IDX %s); not an IDX file?", name, got, want, kind[want])
}

// readBody reads exactly size bytes, the rest of the file, in units of unit
// bytes (one image or one label), and errors if the file holds fewer or
// more. It never allocates more than the file holds, however large a
// corrupt header says the body is.
func readBody(rd io.Reader, name, what string, size, unit int) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(size+1, 1<<20)))
	_, err := buf.ReadFrom(io.LimitReader(rd, int64(size)+1))
	cut := errors.Is(err, io.ErrUnexpectedEOF)
	if err != nil && !cut {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	got := buf.Len()
	switch {
	case got >= size && cut:
		return nil, fmt.Errorf("%s: truncated: the gzip stream ends before its checksum", name)
	case got < size:
		msg := fmt.Sprintf("%s: truncated: header says %s, file holds %d", name, what, got/unit)
		if rest := got % unit; rest != 0 {
			msg += fmt.Sprintf(" and %d bytes of the next", rest)
		}
		if cut {
			msg += " (the gzip stream ends early)"
		}
		return nil, errors.New(msg)
	case got > size:
		return nil, fmt.Errorf("%s: header says %s, but more data follows them", name, what)
	}
	return buf.Bytes(), nil
}
