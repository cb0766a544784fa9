package fashionmnist

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tensorforge/tensorforge/internal/hostfile"
	"github.com/tensorforge/tensorforge/internal/hostfile/hostfiletest"
)

// bomb returns a gzip file of an IDX image header declaring n images of
// 28x28 followed by zeros bytes of zeros, which deflate shrinks eight
// hundredfold: what a reader that trusts the header inflates in full.
func bomb(t *testing.T, n uint32, zeros int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(idxImages(n, 28, 28, nil))
	w.Write(make([]byte, zeros))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestReadImagesGzipBomb reads a small gzip file that inflates to 8 MiB
// under a header declaring 1,000,000 images (784 MB, within MaxDataBytes):
// more than deflate can pack into its size, so it is refused from the
// header alone, without allocating the pixels.
func TestReadImagesGzipBomb(t *testing.T) {
	b := bomb(t, 1_000_000, 8<<20)
	path := writeFile(t, t.TempDir(), "bomb.gz", b)
	want := fmt.Sprintf("%s: header says 1000000 images of 28x28 (747.7 MiB), more than a gzip file of %s can hold", path, hostfile.FormatSize(int64(len(b))))
	var err error
	if n := allocated(func() { _, err = ReadImagesFile(path) }); n > 1<<20 {
		t.Errorf("ReadImagesFile allocated %d bytes, want under 1 MiB", n)
	}
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestReadImagesLimit reads, from a reader whose size is unknown, a small
// gzip file whose header declares more than MaxDataBytes of pixels.
func TestReadImagesLimit(t *testing.T) {
	b := bomb(t, 2_000_000, 8<<20)
	want := "f: header says 2000000 images of 28x28: more than the 1.0 GiB limit"
	var err error
	if n := allocated(func() { _, err = ReadImages(bytes.NewReader(b), "f") }); n > 1<<20 {
		t.Errorf("ReadImages allocated %d bytes, want under 1 MiB", n)
	}
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	want = "f: header says 4294967295 labels: more than the 1.0 GiB limit"
	if _, err := ReadLabels(bytes.NewReader(idxLabels(0xffffffff, nil)), "f"); err == nil || err.Error() != want {
		t.Errorf("labels: got %v\nwant %s", err, want)
	}
}

// TestReadFileSize checks a plain file's header against its size before
// reading the body.
func TestReadFileSize(t *testing.T) {
	dir := t.TempDir()
	short := writeFile(t, dir, "short", idxImages(60000, 28, 28, seq(1000)))
	long := writeFile(t, dir, "long", idxLabels(2, []byte{1, 2, 3}))
	var err error
	if n := allocated(func() { _, err = ReadImagesFile(short) }); n > 64<<10 {
		t.Errorf("ReadImagesFile allocated %d bytes, want a few KiB", n)
	}
	if want := short + ": truncated: header says 60000 images of 28x28, file holds 1 and 216 bytes of the next"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if _, err := ReadLabelsFile(long); err == nil || err.Error() != long+": header says 2 labels, but more data follows them" {
		t.Errorf("got %v", err)
	}
	huge := filepath.Join(dir, "huge")
	hostfiletest.Sparse(t, huge, 2<<30)
	if _, err := ReadImagesFile(huge); err == nil || err.Error() != huge+": 2.0 GiB, more than the 1.0 GiB limit" {
		t.Errorf("got %v", err)
	}
}

// TestReadImagesFileChecked refuses 100x100 images from their header: the
// body, cut short, is never read, or its error would come instead.
func TestReadImagesFileChecked(t *testing.T) {
	file := gz(t, idxImages(50, 100, 100, seq(50*100*100)))
	path := writeFile(t, t.TempDir(), "big.gz", file[:len(file)/2])
	var calls []string
	only28 := func(n, rows, cols int) error {
		calls = append(calls, fmt.Sprintf("%d %dx%d", n, rows, cols))
		if rows != 28 || cols != 28 {
			return fmt.Errorf("images are %dx%d, want 28x28", rows, cols)
		}
		return nil
	}
	want := path + ": images are 100x100, want 28x28"
	if _, err := ReadImagesFileChecked(path, only28); err == nil || err.Error() != want || len(calls) != 1 || calls[0] != "50 100x100" {
		t.Errorf("got %v after calls %q\nwant %s after one call with 50 100x100", err, calls, want)
	}

	calls = nil
	good := writeFile(t, t.TempDir(), "good", idxImages(2, 28, 28, seq(2*28*28)))
	if im, err := ReadImagesFileChecked(good, only28); err != nil || im.N != 2 || len(calls) != 1 {
		t.Errorf("a file check accepts: %v, %d calls", err, len(calls))
	}
	calls = nil
	labels := writeFile(t, t.TempDir(), "labels", idxLabels(1, []byte{1}))
	if _, err := ReadImagesFileChecked(labels, only28); err == nil || len(calls) != 0 {
		t.Errorf("a label file: %v, %d calls; want an error before any call", err, len(calls))
	}
}

// TestReadFIFO names a named pipe as a data file: it must be refused at
// once, not block the reader for good.
func TestReadFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), TrainImagesFile)
	hostfiletest.FIFO(t, path)
	want := path + ": is a named pipe, want a regular file"
	hostfiletest.Within(t, 5*time.Second, "reading a named pipe", func() {
		if _, err := ReadImagesFile(path); err == nil || err.Error() != want {
			t.Errorf("ReadImagesFile: got %v, want %s", err, want)
		}
		if _, err := ReadLabelsFile(path); err == nil || err.Error() != want {
			t.Errorf("ReadLabelsFile: got %v, want %s", err, want)
		}
	})
}

// TestGzipTrailing reads gzip files with something after the stream:
// another member, whose content continues the file as gzip's spec has
// it, or bytes that are not gzip, which are an error saying so.
func TestGzipTrailing(t *testing.T) {
	file := idxImages(3, 2, 2, seq(12))
	whole := gz(t, file)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"two members", append(gz(t, file[:7]), gz(t, file[7:])...), ""},
		{"empty member after", append(bytes.Clone(whole), gz(t, nil)...), ""},
		{"three bytes", append(bytes.Clone(whole), "abc"...), "f: 3 bytes after the end of the gzip stream"},
		{"one byte", append(bytes.Clone(whole), 0), "f: 1 bytes after the end of the gzip stream"},
		{"twenty bytes", append(bytes.Clone(whole), seq(20)...), "f: 20 bytes after the end of the gzip stream"},
		{"second header cut", append(bytes.Clone(whole), 0x1f, 0x8b, 8), "f: truncated: the gzip header is cut short"},
		{"more images in a member", append(bytes.Clone(whole), gz(t, seq(4))...), "f: header says 3 images of 2x2, but more data follows them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := ReadImages(bytes.NewReader(tc.b), "f")
			switch {
			case tc.want == "" && (err != nil || !bytes.Equal(im.Pixels, seq(12))):
				t.Errorf("got %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestReadBodyErrors passes on a reader's own failure, naming the file.
func TestReadBodyErrors(t *testing.T) {
	broken := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(idxLabels(5, []byte{1, 2})), iotest.ErrReader(broken))
	if _, err := ReadLabels(r, "f"); !errors.Is(err, broken) || !strings.HasPrefix(err.Error(), "f: ") {
		t.Errorf("got %v, want %v after the name", err, broken)
	}
}
