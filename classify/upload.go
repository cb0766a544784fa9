package classify

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// DeviceBatch holds the device tensors that batches are uploaded into,
// allocated once for the largest batch. Only raw bytes cross to the device
// (784 bytes a Fashion-MNIST image, against 200,704 for the float32
// 224x224 image the model sees); the scaling to [0, 1] and the resize run
// there. It is not safe for concurrent use.
type DeviceBatch struct {
	raw    *tensor.Tensor // Uint8 [size, C, H, W]
	labels *tensor.Tensor // Int32 [size]
	images *tensor.Tensor // Float32 [size, C, outH, outW]
}

// NewDeviceBatch allocates on dev the tensors for batches of up to size
// images of shape [c, h, w], resized to out ([c, outH, outW], a model's
// input).
func NewDeviceBatch(dev tensor.Device, size, c, h, w int, out []int) *DeviceBatch {
	if len(out) != 3 || out[0] != c {
		panic(fmt.Sprintf("classify: NewDeviceBatch of %dx%dx%d images for input %v", c, h, w, out))
	}
	return &DeviceBatch{
		raw:    tensor.New(dev, tensor.Uint8, size, c, h, w),
		labels: tensor.New(dev, tensor.Int32, size),
		images: tensor.New(dev, tensor.Float32, size, c, out[1], out[2]),
	}
}

// Upload copies b to the device and resizes its images there, returning
// views of the first b.Len() rows: images, Float32 [n, C, outH, outW] with
// pixels scaled to [0, 1], and labels, Int32 [n]. The views stay valid
// until the next Upload. b may be reused as soon as Upload returns, since
// Device.Write copies the host slice before returning.
func (d *DeviceBatch) Upload(b *Batch) (images, labels *tensor.Tensor) {
	n := b.Len()
	if n > d.raw.Dim(0) || b.Channels != d.raw.Dim(1) || b.Height != d.raw.Dim(2) || b.Width != d.raw.Dim(3) {
		panic(fmt.Sprintf("classify: Upload of %d images of %dx%dx%d into tensors for %v", n, b.Channels, b.Height, b.Width, d.raw.Shape()))
	}
	raw := d.raw.Slice(0, n)
	raw.CopyFrom(b.Images)
	labels = d.labels.Slice(0, n)
	labels.CopyFrom(b.Labels)
	images = d.images.Slice(0, n)
	tensor.Resize(images, raw)
	return images, labels
}

// Free returns the tensors' memory to the device.
func (d *DeviceBatch) Free() {
	d.raw.Free()
	d.labels.Free()
	d.images.Free()
}
