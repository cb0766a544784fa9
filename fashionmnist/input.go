package fashionmnist

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"

	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// input is an IDX file being read: its content, gunzipped if the file is
// gzipped, and what is known of its size.
type input struct {
	name string
	r    io.Reader
	gzip bool
	size int64 // the file's size, gzipped or not; -1 when unknown
}

// newInput returns the input reading r, gunzipping it when it starts with
// gzip's magic bytes: the name of a file says nothing reliable, as
// torchvision keeps both forms and some mirrors serve the raw files as .gz.
func newInput(r io.Reader, name string, size int64) (*input, error) {
	br := bufio.NewReader(r)
	in := &input{name: name, r: br, size: size}
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return in, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, gzipHeaderError(err))
	}
	zr.Multistream(false)
	in.r, in.gzip = &members{br: br, zr: zr}, true
	return in, nil
}

// readHeader fills h, reporting a short file as truncated.
func (in *input) readHeader(h []byte, kind string) error {
	n, err := io.ReadFull(in.r, h)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: truncated: %d bytes, an IDX %s header needs %d", in.name, n, kind, len(h))
	case err != nil:
		return fmt.Errorf("%s: %w", in.name, err)
	}
	return nil
}

// limit returns the size of a body of n units of unit bytes, which the
// header describes as what, if it is at most MaxDataBytes. A unit above
// the limit is refused even when n is 0, as no image that large is read.
func (in *input) limit(what string, n, unit uint64) (int, error) {
	hi, size := bits.Mul64(n, unit)
	if hi != 0 || size > MaxDataBytes || unit > MaxDataBytes {
		return 0, fmt.Errorf("%s: header says %s: more than the %s limit", in.name, what, hostfile.FormatSize(MaxDataBytes))
	}
	return int(size), nil
}

// readBody reads the body of size bytes that follows a header of header
// bytes, in units of unit bytes (one image or one label), described as
// what, and errors if the file holds fewer or more. It first checks size
// against the file's size where that is known (see fits). The buffer
// grows with what arrives, never past size, so that a header that lies
// costs only the memory the file's content takes, except for a plain
// file whose size matched, which is read into one allocation.
func (in *input) readBody(what string, header, size, unit int) ([]byte, error) {
	if err := in.fits(what, header, size, unit); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, min(size, 1<<20))
	if in.size >= 0 && !in.gzip {
		buf = make([]byte, 0, size)
	}
	var err error
	for len(buf) < size && err == nil {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(len(buf), size-len(buf)))
		}
		var n int
		n, err = in.r.Read(buf[len(buf):min(cap(buf), size)])
		buf = buf[:len(buf)+n]
	}
	if err == nil {
		// The body is whole: the file must end here.
		var one [1]byte
		var n int
		if n, err = io.ReadFull(in.r, one[:]); n > 0 {
			return nil, fmt.Errorf("%s: header says %s, but more data follows them", in.name, what)
		}
	}
	cut := errors.Is(err, io.ErrUnexpectedEOF)
	if err != nil && !cut && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", in.name, err)
	}
	if len(buf) == size && cut {
		return nil, fmt.Errorf("%s: truncated: the gzip stream ends before its checksum", in.name)
	}
	if err := in.mismatch(what, int64(len(buf)), size, unit, cut); err != nil {
		return nil, err
	}
	return buf, nil
}

// fits checks a body of size bytes after a header of header bytes against
// the file's size, when known: an uncompressed file must hold exactly
// that, and a gzipped one cannot inflate to more than maxDeflateRatio
// times its size.
func (in *input) fits(what string, header, size, unit int) error {
	switch {
	case in.size < 0:
		return nil
	case !in.gzip:
		return in.mismatch(what, max(in.size-int64(header), 0), size, unit, false)
	}
	if most := uint64(in.size) * maxDeflateRatio; uint64(header+size) > most {
		return fmt.Errorf("%s: header says %s (%s), more than a gzip file of %s can hold", in.name, what,
			hostfile.FormatSize(int64(header+size)), hostfile.FormatSize(in.size))
	}
	return nil
}

// mismatch returns nil if a file holds got bytes of a body of size bytes,
// or else the error saying it holds fewer (truncated, and if cut because
// its gzip stream ended early) or more.
func (in *input) mismatch(what string, got int64, size, unit int, cut bool) error {
	switch {
	case got < int64(size):
		msg := fmt.Sprintf("%s: truncated: header says %s, file holds %d", in.name, what, got/int64(unit))
		if rest := got % int64(unit); rest != 0 {
			msg += fmt.Sprintf(" and %d bytes of the next", rest)
		}
		if cut {
			msg += " (the gzip stream ends early)"
		}
		return errors.New(msg)
	case got > int64(size):
		return fmt.Errorf("%s: header says %s, but more data follows them", in.name, what)
	}
	return nil
}
