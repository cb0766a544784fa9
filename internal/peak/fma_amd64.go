//go:build !purego

package peak

import (
	"golang.org/x/sys/cpu"

	"github.com/tensorforge/tensorforge/internal/amx"
)

// Implemented in fma_amd64.s. Each iteration issues 24 (zmm) or 12 (ymm)
// VFMADD231PS on independent accumulators: enough chains to cover the FMA
// latency (4 cycles) times the FMA ports (2) of current x86 cores. iters
// must be positive.
func fmaZMM(iters int)
func fmaYMM(iters int)

// Implemented in fma_amd64.s: 24 VDPBF16PS on independent accumulators an
// iteration, each two products a lane. iters must be positive.
func dotBF16ZMM(iters int)

// Implemented in fma_amd64.s: 4 TDPBF16PS an iteration, each 16x16 lanes
// of 32 products, after loading the tile configuration cfg. iters must be
// positive.
//
//go:noescape
func dotBF16Tiles(cfg *byte, iters int)

// amxKernel is the tile loop, 4 x 16 x 16 x 32 products an iteration.
var amxKernel = fmaKernel{name: "amx-bf16", instr: "TDPBF16PS", flopsPerIter: 4 * 16 * 16 * 32 * 2,
	run: func(iters int) { dotBF16Tiles(&amx.Config[0], iters) }}

// available lists the FMA kernels this CPU runs, widest first, and its
// fastest bfloat16 kernel: AMX's tiles where the process may use them,
// else VDPBF16PS, nil without either.
func available() ([]fmaKernel, *fmaKernel) {
	var bf16 *fmaKernel
	switch {
	case amx.Usable():
		bf16 = &amxKernel
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512BF16:
		bf16 = &fmaKernel{name: "avx512-bf16", instr: "VDPBF16PS", run: dotBF16ZMM, flopsPerIter: 24 * 16 * 4}
	}
	var ks []fmaKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, fmaKernel{name: "avx512", instr: "FMA", run: fmaZMM, flopsPerIter: 24 * 16 * 2})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, fmaKernel{name: "avx2", instr: "FMA", run: fmaYMM, flopsPerIter: 12 * 8 * 2})
	}
	return append(ks, goKernel), bf16
}
