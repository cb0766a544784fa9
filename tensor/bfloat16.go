package tensor

import "fmt"

// BF16Activations is a Device that computes on activations stored in
// bfloat16 (BFloat16 tensors), half the memory of float32: its
// ConvForward writes a BFloat16 y, each element rounded (bf16.Round) from
// what it would write in float32, its MaxPool reads a BFloat16 x, and its
// MaxPoolGrad a BFloat16 mask. A BF16 model stores so the output of a
// convolution whose reader is a max-pool (nn's Sequential does): rounding
// is monotonic, so the pool keeps the same maximum (ties aside), rounded,
// and a ReLU's mask the same signs; where the pool's output goes on to
// BF16 products, as in AlexNet, they would have rounded it anyway.
type BF16Activations interface {
	Device
	// StoresBF16 reports whether the operations above take BFloat16
	// tensors.
	StoresBF16() bool
}

// HasBF16Activations reports whether dev computes on activations stored
// in bfloat16 (see BF16Activations).
func HasBF16Activations(dev Device) bool {
	d, ok := dev.(BF16Activations)
	return ok && d.StoresBF16()
}

// wantActivation panics unless t is Float32, or BFloat16 on a device that
// takes it (HasBF16Activations).
func wantActivation(op, name string, t *Tensor) {
	switch t.DType() {
	case Float32:
	case BFloat16:
		if !HasBF16Activations(t.Device()) {
			panic(fmt.Sprintf("tensor: %s: %s is bfloat16 %v, which device %s does not compute on (see HasBF16Activations)", op, name, t.shape, t.Device().Name()))
		}
	default:
		panic(fmt.Sprintf("tensor: %s: %s is %v %v, want float32 or bfloat16", op, name, t.DType(), t.shape))
	}
}
