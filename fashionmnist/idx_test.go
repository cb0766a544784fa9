package fashionmnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxImages returns an IDX image file whose header says n images of
// rows x cols, followed by body.
func idxImages(n, rows, cols uint32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, imagesMagic)
	b = binary.BigEndian.AppendUint32(b, n)
	b = binary.BigEndian.AppendUint32(b, rows)
	b = binary.BigEndian.AppendUint32(b, cols)
	return append(b, body...)
}

// idxLabels returns an IDX label file whose header says n labels, followed
// by body.
func idxLabels(n uint32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, labelsMagic)
	b = binary.BigEndian.AppendUint32(b, n)
	return append(b, body...)
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadImages(t *testing.T) {
	file := idxImages(3, 2, 5, seq(30))
	for name, b := range map[string][]byte{"plain": file, "gzip": gz(t, file)} {
		t.Run(name, func(t *testing.T) {
			im, err := ReadImages(bytes.NewReader(b), "x")
			if err != nil {
				t.Fatal(err)
			}
			if im.N != 3 || im.Rows != 2 || im.Cols != 5 || !bytes.Equal(im.Pixels, seq(30)) {
				t.Errorf("got %d images of %dx%d, pixels %v", im.N, im.Rows, im.Cols, im.Pixels)
			}
		})
	}
}

func TestReadLabels(t *testing.T) {
	want := []byte{0, 9, 3, 3, 7}
	file := idxLabels(5, want)
	for name, b := range map[string][]byte{"plain": file, "gzip": gz(t, file)} {
		t.Run(name, func(t *testing.T) {
			got, err := ReadLabels(bytes.NewReader(b), "x")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestReadImagesErrors(t *testing.T) {
	bigHeader := idxImages(60000, 28, 28, seq(59999*784))
	corrupt := gz(t, idxImages(2, 2, 2, seq(8)))
	corrupt[len(corrupt)-6] ^= 0xff // a byte of the CRC-32 trailer
	cut := gz(t, idxImages(2, 2, 2, seq(8)))
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "f: truncated: 0 bytes, an IDX image header needs 16"},
		{"short header", idxImages(1, 2, 2, nil)[:10], "f: truncated: 10 bytes, an IDX image header needs 16"},
		{"label magic", idxLabels(1, []byte{0, 0, 0, 0, 0, 0, 0, 0}), "f: magic 0x00000801 marks an IDX file of labels, want 0x00000803 (images)"},
		{"bad magic", append([]byte("\x89PNG\r\n\x1a\n"), seq(20)...), "f: magic 0x89504e47, want 0x00000803 (IDX images); not an IDX file?"},
		{"zero rows", idxImages(1, 0, 28, nil), "f: header says 1 images of 0x28: an image needs at least one pixel"},
		{"huge", idxImages(0xffffffff, 0xffffffff, 0xffffffff, nil), "f: header says 4294967295 images of 4294967295x4294967295: more than the 1.0 GiB limit"},
		{"truncated", bigHeader, "f: truncated: header says 60000 images of 28x28, file holds 59999"},
		{"truncated mid-image", idxImages(3, 2, 2, seq(9)), "f: truncated: header says 3 images of 2x2, file holds 2 and 1 bytes of the next"},
		{"trailing", idxImages(2, 2, 2, seq(9)), "f: header says 2 images of 2x2, but more data follows them"},
		{"gzip checksum", corrupt, "f: gzip: invalid checksum"},
		{"gzip cut", cut[:len(cut)-4], "f: truncated: the gzip stream ends before its checksum"},
		{"gzip header cut", cut[:5], "f: truncated: the gzip header is cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadImages(bytes.NewReader(tc.file), "f")
			if err == nil || err.Error() != tc.want {
				t.Errorf("got error %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestReadLabelsErrors(t *testing.T) {
	bad := make([]byte, 2000)
	bad[1234] = 11
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"out of range", idxLabels(2000, bad), "train-labels-idx1-ubyte.gz: label 1234 is 11, want 0..9"},
		{"image magic", idxImages(1, 1, 1, []byte{0}), "train-labels-idx1-ubyte.gz: magic 0x00000803 marks an IDX file of images, want 0x00000801 (labels)"},
		{"short header", idxLabels(1, nil)[:7], "train-labels-idx1-ubyte.gz: truncated: 7 bytes, an IDX label header needs 8"},
		{"truncated", idxLabels(60000, make([]byte, 59999)), "train-labels-idx1-ubyte.gz: truncated: header says 60000 labels, file holds 59999"},
		{"trailing", idxLabels(1, []byte{1, 2}), "train-labels-idx1-ubyte.gz: header says 1 labels, but more data follows them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadLabels(bytes.NewReader(tc.file), "train-labels-idx1-ubyte.gz")
			if err == nil || err.Error() != tc.want {
				t.Errorf("got error %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestReadImagesGzipCutInBody(t *testing.T) {
	noise := make([]byte, 100*8*8)
	for i := range noise {
		noise[i] = byte(uint64(i*i)*2654435761>>13) ^ byte(i>>3)
	}
	file := gz(t, idxImages(100, 8, 8, noise))
	_, err := ReadImages(bytes.NewReader(file[:len(file)/2]), "f")
	if err == nil ||
		!strings.HasPrefix(err.Error(), "f: truncated: header says 100 images of 8x8, file holds ") ||
		!strings.HasSuffix(err.Error(), " (the gzip stream ends early)") {
		t.Errorf("got %v, want a truncation error", err)
	}
}

// TestReadImagesCorruptGzip flips each byte of a gzipped file in turn: the
// reader must return an error (or, where the flip lands in a header field
// gzip ignores, the right content) and never panic.
func TestReadImagesCorruptGzip(t *testing.T) {
	file := gz(t, idxImages(2, 3, 3, seq(18)))
	for i := range file {
		b := bytes.Clone(file)
		b[i] ^= 0x55
		im, err := ReadImages(bytes.NewReader(b), "f")
		if err == nil && !bytes.Equal(im.Pixels, seq(18)) {
			t.Errorf("byte %d flipped: no error, pixels %v", i, im.Pixels)
		}
	}
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadDatasetCountMismatch(t *testing.T) {
	dir := t.TempDir()
	im := writeFile(t, dir, "im", idxImages(3, 1, 1, seq(3)))
	lb := writeFile(t, dir, "lb", idxLabels(2, []byte{1, 2}))
	_, err := ReadDataset(im, lb)
	want := im + " holds 3 images but " + lb + " holds 2 labels"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestReadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope")
	if _, err := ReadImagesFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
	if _, err := ReadLabelsFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
}
