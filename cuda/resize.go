//go:build cuda

package cuda

import "github.com/tensorforge/tensorforge/tensor"

// Resize writes the bilinear resize of src (Float32, or Uint8 read as
// value/255) into dst, one thread per output.
func (d *Device) Resize(dst, src *tensor.Tensor) {
	s, o := src.Shape(), dst.Shape()
	d.do("Resize", func() {
		checkInt32("input plane", s[2]*s[3])
		checkInt32("output plane", o[2]*o[3])
		kernel := "resize_f32"
		if src.DType() == tensor.Uint8 {
			kernel = "resize_u8"
		}
		planes := int64(s[0]) * int64(s[1])
		d.launch(kernel, gridFor(planes*int64(o[2]*o[3]), threads), dim3{threads, 1, 1}, 0,
			d.ptr(dst), d.ptr(src), planes, s[2], s[3], o[2], o[3])
	})
}
