package tensor

import "fmt"

// Precision is the arithmetic of a matrix product (GemmArgs.Precision):
// the operands' rounding before they are multiplied. Sums are float32 in
// every precision. A product's operands are float32 tensors; activations
// stored in bfloat16 are BFloat16 tensors, which only some operations
// take (see BF16Activations).
type Precision uint8

const (
	// FP32 multiplies the operands as they are (on the GPU's tensor
	// cores, as TF32 unless the device is set to exact products).
	FP32 Precision = iota
	// BF16 rounds both operands to bfloat16 (to nearest, ties to even)
	// and sums their products in float32: twice the arithmetic rate of
	// FP32 where the hardware has bfloat16 dot products, at most 2^-8 of
	// relative error in each operand.
	BF16
)

// Precisions lists every precision, FP32 first.
var Precisions = []Precision{FP32, BF16}

// String returns the name ParsePrecision reads: "fp32" or "bf16".
func (p Precision) String() string { return enumName("Precision", int(p), "fp32", "bf16") }

// ParsePrecision returns the precision named s ("fp32" or "bf16").
func ParsePrecision(s string) (Precision, error) {
	for _, p := range Precisions {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown precision %q: want fp32 or bf16", s)
}
