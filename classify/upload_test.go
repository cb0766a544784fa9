package classify

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

func TestDeviceBatchUpload(t *testing.T) {
	d := &images{px: make([]uint8, 5*28*28), labels: []int{3, 1, 4, 1, 5}, c: 1, h: 28, w: 28}
	for i := range d.px {
		d.px[i] = uint8(i * 7)
	}
	l, err := NewLoader(d, BatchOptions{Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []int{28, 56} {
		db := NewDeviceBatch(tensor.CPU(), 3, 1, 28, 28, []int{1, out, out})
		start := 0
		for b := range l.Epoch(0) {
			images, labels := db.Upload(b)
			if !slices.Equal(images.Shape(), []int{b.Len(), 1, out, out}) || !slices.Equal(labels.Shape(), []int{b.Len()}) {
				t.Fatalf("shapes %v and %v for a batch of %d", images.Shape(), labels.Shape(), b.Len())
			}
			px, err := images.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			ls, err := labels.Int32s()
			if err != nil {
				t.Fatal(err)
			}
			for j := range b.Len() {
				src := d.Image(start + j)
				img := px[j*out*out : (j+1)*out*out]
				// Same size: the identity; twice the size: the corners
				// sample exactly the source corners.
				if out == 28 {
					for p, v := range src {
						if img[p] != float32(v)/255 {
							t.Fatalf("image %d pixel %d: %v, want %v/255", start+j, p, img[p], v)
						}
					}
				} else if img[0] != float32(src[0])/255 || img[out*out-1] != float32(src[28*28-1])/255 {
					t.Fatalf("image %d: corners %v, %v, want %v/255, %v/255", start+j, img[0], img[out*out-1], src[0], src[28*28-1])
				}
				if ls[j] != int32(d.labels[start+j]) {
					t.Fatalf("label %d: %d, want %d", start+j, ls[j], d.labels[start+j])
				}
			}
			start += b.Len()
		}
		db.Free()
	}
}
