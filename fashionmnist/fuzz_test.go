package fashionmnist

import (
	"bytes"
	"testing"
)

// FuzzReadImages checks that ReadImages never panics, that what it
// accepts is consistent, and that reading the same bytes as a file of
// known size (as ReadImagesFileChecked does, checking the header against
// the size first) accepts the same files, with the same images, after
// calling the header check once with their counts.
func FuzzReadImages(f *testing.F) {
	file := idxImages(2, 3, 4, seq(24))
	f.Add(file)
	f.Add(gz(f, file))
	f.Add(file[:20])
	f.Add(idxImages(1<<20, 1<<10, 1<<10, seq(5)))
	f.Add(idxImages(1000, 28, 28, make([]byte, 4096)))
	f.Add(gz(f, idxImages(1000, 28, 28, make([]byte, 4096))))
	f.Add(append(gz(f, file[:9]), gz(f, file[9:])...))
	f.Add(append(gz(f, file), "trailing"...))
	f.Add(append(gz(f, file), 0x1f, 0x8b))
	f.Add(idxLabels(3, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := ReadImages(bytes.NewReader(b), "fuzz")
		var calls [][3]int
		check := func(n, rows, cols int) error {
			calls = append(calls, [3]int{n, rows, cols})
			return nil
		}
		sized, sizedErr := readImages(bytes.NewReader(b), "fuzz", int64(len(b)), check)
		if (err == nil) != (sizedErr == nil) {
			t.Fatalf("reading with no size: %v; with the size: %v", err, sizedErr)
		}
		if err != nil {
			return
		}
		if im.Rows < 1 || im.Cols < 1 || len(im.Pixels) != im.N*im.Rows*im.Cols || len(im.Pixels) > MaxDataBytes {
			t.Fatalf("%d images of %dx%d with %d pixels", im.N, im.Rows, im.Cols, len(im.Pixels))
		}
		if sized.N != im.N || sized.Rows != im.Rows || sized.Cols != im.Cols || !bytes.Equal(sized.Pixels, im.Pixels) {
			t.Fatalf("reading with the size gave %d images of %dx%d, without %d of %dx%d", sized.N, sized.Rows, sized.Cols, im.N, im.Rows, im.Cols)
		}
		if len(calls) != 1 || calls[0] != [3]int{im.N, im.Rows, im.Cols} {
			t.Fatalf("check called with %v, want once with the counts read", calls)
		}
	})
}

// FuzzReadLabels checks that ReadLabels never panics, returns only class
// indices, and agrees with reading the bytes as a file of known size.
func FuzzReadLabels(f *testing.F) {
	file := idxLabels(4, []byte{0, 9, 5, 1})
	f.Add(file)
	f.Add(gz(f, file))
	f.Add(file[:9])
	f.Add(idxLabels(2, []byte{3, 10}))
	f.Add(idxLabels(1<<31, nil))
	f.Add(gz(f, idxLabels(1<<20, make([]byte, 4096))))
	f.Add(append(gz(f, file), 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := ReadLabels(bytes.NewReader(b), "fuzz")
		sized, sizedErr := readLabels(bytes.NewReader(b), "fuzz", int64(len(b)))
		if (err == nil) != (sizedErr == nil) || !bytes.Equal(labels, sized) {
			t.Fatalf("reading with no size: %v, %v; with the size: %v, %v", labels, err, sized, sizedErr)
		}
		for i, l := range labels {
			if l >= NumClasses {
				t.Fatalf("label %d is %d", i, l)
			}
		}
	})
}
