package fashionmnist

import (
	"bytes"
	"testing"
)

func FuzzReadImages(f *testing.F) {
	file := idxImages(2, 3, 4, seq(24))
	f.Add(file)
	f.Add(gz(f, file))
	f.Add(file[:20])
	f.Add(idxImages(1<<20, 1<<10, 1<<10, seq(5)))
	f.Add(idxLabels(3, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := ReadImages(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		if im.Rows < 1 || im.Cols < 1 || len(im.Pixels) != im.N*im.Rows*im.Cols {
			t.Fatalf("%d images of %dx%d with %d pixels", im.N, im.Rows, im.Cols, len(im.Pixels))
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	file := idxLabels(4, []byte{0, 9, 5, 1})
	f.Add(file)
	f.Add(gz(f, file))
	f.Add(file[:9])
	f.Add(idxLabels(2, []byte{3, 10}))
	f.Add(idxLabels(1<<31, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := ReadLabels(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		for i, l := range labels {
			if l >= NumClasses {
				t.Fatalf("label %d is %d", i, l)
			}
		}
	})
}
