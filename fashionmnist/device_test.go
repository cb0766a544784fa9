package fashionmnist

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

func TestDeviceBatchUpload(t *testing.T) {
	d := &Dataset{Images: seq(5 * 28 * 28), Labels: []uint8{3, 1, 4, 1, 5}, Rows: 28, Cols: 28}
	l, err := NewLoader(d, BatchOptions{Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []int{28, 56} {
		db := NewDeviceBatch(tensor.CPU(), 3, 28, 28, out)
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
				if ls[j] != int32(d.Labels[start+j]) {
					t.Fatalf("label %d: %d, want %d", start+j, ls[j], d.Labels[start+j])
				}
			}
			start += b.Len()
		}
		db.Free()
	}
}
