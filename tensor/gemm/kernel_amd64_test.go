//go:build !purego

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAVX512BroadcastsAgree checks that the two AVX-512 FP32 kernels, which
// differ only in where A's broadcast element is held, give the same bits,
// so that results do not depend on the vendor of the CPU that ran them.
func TestAVX512BroadcastsAgree(t *testing.T) {
	if !cpu.X86.HasAVX512F {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{12, 32, 1}, {13, 33, 7}, {29, 70, 257}, {96, 300, 121}, {5, 17, 600}} {
		for tr := range 8 { // each transposition, beta 0 and 1
			tc := newCase(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 1.5, float32(tr/4), 3)
			var runs [2][]float32
			for i, k := range []*kernel{avx512Kernel, avx512RegBcastKernel} {
				prev, _ := useKernel(k.name)
				runs[i] = tc.run()
				useKernel(prev)
			}
			for i := range runs[0] {
				if a, b := math.Float32bits(runs[0][i]), math.Float32bits(runs[1][i]); a != b {
					t.Fatalf("%v: element %d is %#08x from %s, %#08x from %s", tc, i, a, avx512Kernel.name, b, avx512RegBcastKernel.name)
				}
			}
		}
	}
}

// TestAVX512KernelOrder checks which broadcast each vendor gets first.
func TestAVX512KernelOrder(t *testing.T) {
	for vendor, want := range map[string]*kernel{
		"GenuineIntel": avx512RegBcastKernel, "AuthenticAMD": avx512Kernel, "": avx512Kernel,
	} {
		if got := avx512Kernels(vendor)[0]; got != want {
			t.Errorf("%q: first kernel %s, want %s", vendor, got.name, want.name)
		}
	}
}
