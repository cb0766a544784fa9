//go:build !purego

package gemm

import "github.com/tensorforge/tensorforge/internal/amx"

// AMX. Intel's Advanced Matrix Extensions multiply whole tiles: one
// TDPBF16PS adds a 16x32 bfloat16 tile times a 32x16 one into a 16x16
// float32 tile, 16,384 FLOPs, where a VDPBF16PS does 64. kernelAMXStrip
// keeps a 32x32 tile of C in four tile registers and reads A as rows of
// pairs (the layout roundRowsA writes) and B's packed panels as they are
// (a pair row of 32 columns is two tiles' rows, 64 bytes each); it runs a
// strip of such tiles, one per panel of B, loading the tile configuration
// once.
//
// A tile's sums are not VDPBF16PS's: measured on a Xeon with AMX, neither
// adding the pairs' products in turn (either order) nor adding each pair's
// rounded sum gives its bits, so the AMX kernel is a rounding of its own.
// It is deterministic, and the same whatever the number of workers, but
// BF16 results differ from those of the CPUs without it in the last bits.

// amxDepthStep is the pairs of K one TDPBF16PS takes: the kernel's k is a
// multiple of it, panels being padded with zero pairs.
const amxDepthStep = 16

var amxKernel = &kernel{
	name: "amx-bf16", mr: 32, nr: 32, bf16: true, aRows: true, depthStep: amxDepthStep, ownSums: true,
	full: func(k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, _, _ uintptr) {
		amxStrip(k, a, ars, acs, b, ldb, 0, 1, c, ldc, alpha, beta)
	},
	strip: amxStrip,
}

// amxStrip checks what the assembly cannot and runs kernelAMXStrip, which
// adds to C or overwrites it; other alphas and betas go through a tile
// buffer a panel at a time (the models' products never ask for them).
func amxStrip(k int, a []float32, ars, acs int, b []float32, ldb, ps, panels int, c []float32, ldc int, alpha, beta float32) {
	if acs != 1 || k%amxDepthStep != 0 || panels < 1 {
		panic("gemm: the AMX kernel takes rows of pairs, k a multiple of 16, a panel or more")
	}
	_, _, _ = a[31*ars+k-1], b[(panels-1)*ps+(k-1)*ldb+31], c[31*ldc+32*panels-1]
	if alpha == 1 && (beta == 0 || beta == 1) {
		kernelAMXStrip(&amx.Config[0], k, &a[0], ars, &b[0], ldb, ps, panels, &c[0], ldc, beta == 1)
		return
	}
	var t [32 * 32]float32
	for p := range panels {
		kernelAMXStrip(&amx.Config[0], k, &a[0], ars, &b[p*ps], ldb, ps, 1, &t[0], 32, false)
		mergeTile(c[32*p:], ldc, t[:], 32, 32, 32, alpha, beta)
	}
}
