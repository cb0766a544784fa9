package fashionmnist

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// maxDeflateRatio is the most bytes one byte of a deflate stream inflates
// to: a match of 258 bytes coded in 2 bits. It bounds what a gzip file of
// a given size can hold with no slack needed, since gzip's header and
// trailer (18 bytes or more) inflate to nothing, and a file of several
// gzip members obeys it member by member.
const maxDeflateRatio = 1032

// gzipHeaderError says what a failure to read a gzip header means.
func gzipHeaderError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated: the gzip header is cut short")
	}
	return err
}

// members reads a gzip file's content member after member: gzip's spec
// has a file of several members mean their contents one after another,
// as gunzip and Go's gzip.Reader read it. Bytes after the last member
// that do not start another are an error saying so, where gzip.Reader
// would report them as a corrupt gzip header or, when fewer than ten, as
// the file ending early.
type members struct {
	br *bufio.Reader
	zr *gzip.Reader
}

func (m *members) Read(p []byte) (int, error) {
	for {
		n, err := m.zr.Read(p)
		if n > 0 || !errors.Is(err, io.EOF) {
			if errors.Is(err, io.EOF) {
				err = nil // the next Read reports the end, after a look past it
			}
			return n, err
		}
		// A member ended, its checksum verified: see what follows it.
		next, err := m.br.Peek(2)
		switch {
		case len(next) == 0 && errors.Is(err, io.EOF):
			return 0, io.EOF
		case len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b:
			if err := m.zr.Reset(m.br); err != nil {
				return 0, gzipHeaderError(err)
			}
			m.zr.Multistream(false)
		case err != nil && !errors.Is(err, io.EOF):
			return 0, err
		default:
			rest, err := io.Copy(io.Discard, m.br)
			if err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("%d bytes after the end of the gzip stream", rest)
		}
	}
}
