//go:build !purego

#include "textflag.h"

// Go's assembler does not know AVX512_BF16's instructions: they are
// written out as their EVEX bytes, each checked against GNU as.

// pairIndex is VPERMW's word order that interleaves the two halves of a
// vector: word 2j takes word j, word 2j+1 takes word 16+j.
DATA pairIndex<>+0(SB)/8, $0x0011000100100000
DATA pairIndex<>+8(SB)/8, $0x0013000300120002
DATA pairIndex<>+16(SB)/8, $0x0015000500140004
DATA pairIndex<>+24(SB)/8, $0x0017000700160006
DATA pairIndex<>+32(SB)/8, $0x0019000900180008
DATA pairIndex<>+40(SB)/8, $0x001b000b001a000a
DATA pairIndex<>+48(SB)/8, $0x001d000d001c000c
DATA pairIndex<>+56(SB)/8, $0x001f000f001e000e
GLOBL pairIndex<>(SB), RODATA|NOPTR, $64

// func pairRowsAVX512(dst *float32, ps int, src0, src1 *float32, panels, nr int)
// For each of panels panels of nr columns (nr a multiple of 16), panel p
// at dst+p*ps floats: dst[j] = the pair (src0[j], src1[j]) in bfloat16,
// src0's in the lower half, for the panel's nr columns, src0 and src1
// moving on by nr floats a panel.
TEXT ·pairRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ps+8(FP), DX
	SHLQ $2, DX
	MOVQ src0+16(FP), SI
	MOVQ src1+24(FP), BX
	MOVQ panels+32(FP), CX
	MOVQ nr+40(FP), R8
	SHRQ $4, R8 // groups of 16 columns a panel
	VMOVDQU16 pairIndex<>(SB), Z31
	TESTQ CX, CX
	JZ pairs_done

pairs_panel:
	MOVQ DI, R9
	MOVQ R8, R10

pairs_group:
	VMOVUPS (SI), Z0
	VMOVUPS (BX), Z2
	// VCVTNE2PS2BF16 Z0, Z2, Z4: Z4's lower 16 words from Z0, upper from Z2
	BYTE $0x62; BYTE $0xf2; BYTE $0x6f; BYTE $0x48; BYTE $0x72; BYTE $0xe0
	VPERMW Z4, Z31, Z4
	VMOVUPS Z4, (R9)
	ADDQ $64, SI
	ADDQ $64, BX
	ADDQ $64, R9
	DECQ R10
	JNZ pairs_group
	ADDQ DX, DI
	DECQ CX
	JNZ pairs_panel

pairs_done:
	VZEROUPPER
	RET

// func pairsAVX512(dst, src *float32, n int)
// dst[q] = the pair (src[2q], src[2q+1]) in bfloat16, src[2q]'s in the
// lower half, for q < n, n a multiple of 16: consecutive floats are
// already the pairs' halves in the order the kernels take them.
TEXT ·pairsAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	TESTQ CX, CX
	JZ conv_done

conv_loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	// VCVTNE2PS2BF16 Z0, Z1, Z4: words 0-15 from Z0, 16-31 from Z1
	BYTE $0x62; BYTE $0xf2; BYTE $0x77; BYTE $0x48; BYTE $0x72; BYTE $0xe0
	VMOVUPS Z4, (DI)
	ADDQ $128, SI
	ADDQ $64, DI
	DECQ CX
	JNZ conv_loop

conv_done:
	VZEROUPPER
	RET
