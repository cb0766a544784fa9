//go:build !purego

package bf16

import "golang.org/x/sys/cpu"

// roundAVX512 and widenAVX512 are roundSlice and widenSlice on raw
// pointers, n >= 1.
//
//go:noescape
func roundAVX512(dst *uint16, src *float32, n int)

//go:noescape
func widenAVX512(dst *float32, src *uint16, n int)

func init() {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX512BW || !cpu.X86.HasAVX512VL {
		return
	}
	widenSlice = func(dst []float32, src []uint16) {
		if len(src) > 0 {
			widenAVX512(&dst[0], &src[0], len(src))
		}
	}
	if cpu.X86.HasAVX512BF16 {
		roundSlice = func(dst []uint16, src []float32) {
			if len(src) > 0 {
				roundAVX512(&dst[0], &src[0], len(src))
			}
		}
	}
}
