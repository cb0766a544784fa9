// Package bf16 converts between float32 and bfloat16, float32's upper
// half (8 bits of significand), as the CPU's AVX512_BF16 instructions do:
// rounding to nearest, ties to even, NaNs kept quiet, denormals to zero.
// The GEMM's BF16 packing and the tensors stored in bfloat16 round through
// it, so every bfloat16 value in the engine comes from one rule. Slices
// are converted in assembly where the CPU has AVX512_BF16 (widened with
// AVX-512 alone), by a loop elsewhere and with the purego build tag: the
// same bits either way. Every function is safe for concurrent use.
package bf16

import "math"

// Round rounds f to bfloat16 to nearest, ties to even: NaNs stay NaNs
// (quiet), and denormals, which the BF16 products treat as zero, become
// zero.
func Round(f float32) uint16 {
	b := math.Float32bits(f)
	switch exp := b >> 23 & 0xff; {
	case exp == 0xff && b&0x7fffff != 0:
		return uint16(b>>16) | 0x40
	case exp == 0:
		return uint16(b >> 16 & 0x8000)
	}
	b += 0x7fff + (b >> 16 & 1)
	return uint16(b >> 16)
}

// Widen returns the float32 a bfloat16 value stands for, exactly.
func Widen(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// RoundSlice sets dst[i] = Round(src[i]) for i < len(src); dst must be as
// long.
func RoundSlice(dst []uint16, src []float32) { roundSlice(dst[:len(src)], src) }

// WidenSlice sets dst[i] = Widen(src[i]) for i < len(src); dst must be as
// long.
func WidenSlice(dst []float32, src []uint16) { widenSlice(dst[:len(src)], src) }

// roundSlice and widenSlice are RoundSlice and WidenSlice on slices of one
// length: these loops, or the assembly that replaces them.
var (
	roundSlice = func(dst []uint16, src []float32) {
		for i, v := range src {
			dst[i] = Round(v)
		}
	}
	widenSlice = func(dst []float32, src []uint16) {
		for i, h := range src {
			dst[i] = Widen(h)
		}
	}
)
