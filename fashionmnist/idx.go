package fashionmnist

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// The IDX magic numbers: two zero bytes, the element type (0x08, unsigned
// byte) and the number of dimensions.
const (
	imagesMagic = 0x00000803
	labelsMagic = 0x00000801
)

// MaxDataBytes is the most data, pixels or labels, that the header of an
// IDX file may declare: 1 GiB. Fashion-MNIST's training images are 47 MB.
// A header is a request for memory made on the reader's behalf by a file
// that may be corrupt or hostile (4 MB of gzip inflate to 4 GB), so it is
// refused above this before any of the data is read.
const MaxDataBytes = 1 << 30

// maxFileBytes is the largest IDX file read from a path: its data, its
// header, and room for gzip's framing of data that does not compress, 5
// bytes in every 64 KiB.
const maxFileBytes = MaxDataBytes + MaxDataBytes>>10

// Images is the content of an IDX image file: N images of Rows x Cols
// unsigned bytes each, row-major, one after another.
type Images struct {
	N, Rows, Cols int
	Pixels        []uint8
}

// ReadImages reads an IDX image file (magic 0x00000803) from r, gzipped or
// not. name is the file's name for error messages. A header declaring
// more than MaxDataBytes of pixels is refused before any is read; memory
// otherwise grows with the pixels the file holds, not with what the
// header claims. ReadImagesFile also checks the header against the size
// of the file.
func ReadImages(r io.Reader, name string) (*Images, error) {
	return readImages(r, name, -1, nil)
}

// ReadImagesFile reads the IDX image file at path (see ReadImages), which
// must be a regular file. Before reading any pixel it checks the header
// against the file's size: an uncompressed file must hold exactly the
// pixels its header declares, and a gzipped one no more than deflate's
// greatest ratio, 1032 to 1, inflates its size to, so that a small file
// with a lying header costs an error, not memory.
func ReadImagesFile(path string) (*Images, error) {
	return ReadImagesFileChecked(path, nil)
}

// ReadImagesFileChecked reads the IDX image file at path as ReadImagesFile
// does, but first calls check, if not nil, with the number of images and
// their rows and columns as the header declares them, once the header is
// found well formed and before any pixel is read or inflated: a caller
// that takes only images of one size refuses others at the cost of their
// header. An error from check is returned after path and ": ".
func ReadImagesFileChecked(path string, check func(n, rows, cols int) error) (*Images, error) {
	f, size, err := openIDX(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readImages(f, path, size, check)
}

// readImages reads an IDX image file of size bytes (-1 if unknown) from
// r, calling check, if not nil, with the header's counts.
func readImages(r io.Reader, name string, size int64, check func(n, rows, cols int) error) (*Images, error) {
	in, err := newInput(r, name, size)
	if err != nil {
		return nil, err
	}
	var h [16]byte
	if err := in.readHeader(h[:], "image"); err != nil {
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
	body, err := in.limit(what, uint64(n), perImage)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(int(n), int(rows), int(cols)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	pixels, err := in.readBody(what, len(h), body, int(perImage))
	if err != nil {
		return nil, err
	}
	return &Images{N: int(n), Rows: int(rows), Cols: int(cols), Pixels: pixels}, nil
}

// ReadLabels reads an IDX label file (magic 0x00000801) from r, gzipped or
// not, and checks that every label is a class index, 0..NumClasses-1. A
// header declaring more than MaxDataBytes labels is refused before any is
// read.
func ReadLabels(r io.Reader, name string) ([]uint8, error) {
	return readLabels(r, name, -1)
}

// ReadLabelsFile reads the IDX label file at path (see ReadLabels), which
// must be a regular file, checking its header against the file's size as
// ReadImagesFile does.
func ReadLabelsFile(path string) ([]uint8, error) {
	f, size, err := openIDX(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLabels(f, path, size)
}

// readLabels reads an IDX label file of size bytes (-1 if unknown) from r.
func readLabels(r io.Reader, name string, size int64) ([]uint8, error) {
	in, err := newInput(r, name, size)
	if err != nil {
		return nil, err
	}
	var h [8]byte
	if err := in.readHeader(h[:], "label"); err != nil {
		return nil, err
	}
	if err := checkMagic(name, binary.BigEndian.Uint32(h[0:]), labelsMagic); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(h[4:])
	what := fmt.Sprintf("%d labels", n)
	body, err := in.limit(what, uint64(n), 1)
	if err != nil {
		return nil, err
	}
	labels, err := in.readBody(what, len(h), body, 1)
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

// openIDX opens the IDX file at path, which must be a regular file (a
// named pipe would block the open forever) of at most maxFileBytes, and
// returns it with its size.
func openIDX(path string) (*os.File, int64, error) {
	f, fi, err := hostfile.Open(path)
	if err != nil {
		return nil, 0, err
	}
	if err := hostfile.CheckSize(path, fi.Size(), maxFileBytes); err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
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
