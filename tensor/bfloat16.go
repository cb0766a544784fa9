package tensor

import "fmt"

// BF16Activations is a Device that computes on activations stored in
// bfloat16 (BFloat16 tensors), half the memory of float32. Its
// ConvForward and MaxPool take a BFloat16 x and write a BFloat16 y, each
// element rounded (bf16.Round) from what they would write in float32; its
// ConvWeightGrad takes a BFloat16 x, and its ConvDataGrad and MaxPoolGrad
// a BFloat16 mask. Everything else a BFloat16 tensor stands for its
// values widened to float32. nn's Sequential stores a BF16 network's
// activations so where only BF16 products, max-pools and ReLU masks read
// them (see its roundOutputs): the products round them anyway, and
// rounding, being monotonic, keeps the maxima (ties aside) and the signs.
// Like every Device, it is safe for concurrent use.
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
