//go:build !purego

#include "textflag.h"
#include "transpose16_amd64.h"

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

// The pair transposes below read rows of floats along K and write the
// rows of a packed panel: pair q of row i, (src[i*lds+2q], src[i*lds+2q+1])
// in bfloat16 with the first in the lower half, goes to dst[q*ldd+i]. One
// VCVTNE2PS2BF16 turns 32 consecutive floats of a row into its 16 pairs in
// order, so each block is converted as it is loaded and transposed as a
// block of 32-bit elements.

// func pairs16AVX512(dst *float32, ldd int, src *float32, lds int, n int)
// The pair transpose for rows i < 16 and pairs q < n, n a multiple of 16:
// TRANSPOSE16 on blocks of 16 pairs, each column one 64-byte store.
TEXT ·pairs16AVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX             // DX: dst stride in bytes
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	SHLQ $2, R8             // R8: src stride in bytes
	MOVQ n+32(FP), CX
	SHRQ $4, CX             // CX: blocks of 16 pairs
	LEAQ (R8)(R8*2), R9     // R9: 3 src rows
	LEAQ (DX)(DX*2), R10    // R10: 3 dst rows
	TESTQ CX, CX
	JZ   p16done

p16loop:
	MOVQ SI, R11
	PREFETCHT0 256(R11)
	PREFETCHT0 256(R11)(R8*1)
	PREFETCHT0 256(R11)(R8*2)
	PREFETCHT0 256(R11)(R9*1)
	VMOVUPS (R11), Z16
	VMOVUPS 64(R11), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z0
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xc0
	VMOVUPS (R11)(R8*1), Z16
	VMOVUPS 64(R11)(R8*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z1
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xc8
	VMOVUPS (R11)(R8*2), Z16
	VMOVUPS 64(R11)(R8*2), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z2
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xd0
	VMOVUPS (R11)(R9*1), Z16
	VMOVUPS 64(R11)(R9*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z3
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xd8
	LEAQ (R11)(R8*4), R11
	PREFETCHT0 256(R11)
	PREFETCHT0 256(R11)(R8*1)
	PREFETCHT0 256(R11)(R8*2)
	PREFETCHT0 256(R11)(R9*1)
	VMOVUPS (R11), Z16
	VMOVUPS 64(R11), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z4
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xe0
	VMOVUPS (R11)(R8*1), Z16
	VMOVUPS 64(R11)(R8*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z5
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xe8
	VMOVUPS (R11)(R8*2), Z16
	VMOVUPS 64(R11)(R8*2), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z6
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xf0
	VMOVUPS (R11)(R9*1), Z16
	VMOVUPS 64(R11)(R9*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z7
	BYTE $0x62; BYTE $0xb2; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xf8
	LEAQ (R11)(R8*4), R11
	PREFETCHT0 256(R11)
	PREFETCHT0 256(R11)(R8*1)
	PREFETCHT0 256(R11)(R8*2)
	PREFETCHT0 256(R11)(R9*1)
	VMOVUPS (R11), Z16
	VMOVUPS 64(R11), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z8
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xc0
	VMOVUPS (R11)(R8*1), Z16
	VMOVUPS 64(R11)(R8*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z9
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xc8
	VMOVUPS (R11)(R8*2), Z16
	VMOVUPS 64(R11)(R8*2), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z10
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xd0
	VMOVUPS (R11)(R9*1), Z16
	VMOVUPS 64(R11)(R9*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z11
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xd8
	LEAQ (R11)(R8*4), R11
	PREFETCHT0 256(R11)
	PREFETCHT0 256(R11)(R8*1)
	PREFETCHT0 256(R11)(R8*2)
	PREFETCHT0 256(R11)(R9*1)
	VMOVUPS (R11), Z16
	VMOVUPS 64(R11), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z12
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xe0
	VMOVUPS (R11)(R8*1), Z16
	VMOVUPS 64(R11)(R8*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z13
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xe8
	VMOVUPS (R11)(R8*2), Z16
	VMOVUPS 64(R11)(R8*2), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z14
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xf0
	VMOVUPS (R11)(R9*1), Z16
	VMOVUPS 64(R11)(R9*1), Z17
	// VCVTNE2PS2BF16 Z16, Z17, Z15
	BYTE $0x62; BYTE $0x32; BYTE $0x77; BYTE $0x40; BYTE $0x72; BYTE $0xf8
	TRANSPOSE16
	MOVQ DI, R11
	STORE4(Z0, Z1, Z2, Z3)
	STORE4(Z4, Z5, Z6, Z7)
	STORE4(Z8, Z9, Z10, Z11)
	STORE4(Z12, Z13, Z14, Z15)
	MOVQ R11, DI
	ADDQ $128, SI
	DECQ CX
	JNZ  p16loop

p16done:
	VZEROUPPER
	RET

// func pairs4AVX512(dst *float32, ldd int, src *float32, lds int, n int)
// The pair transpose for rows i < 4 and pairs q < n, n a multiple of 16:
// each block of 16 pairs is transposed as four 4x4 blocks, one per
// 128-bit lane, and written as sixteen 16-byte stores.
TEXT ·pairs4AVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX             // DX: dst stride in bytes
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	SHLQ $2, R8             // R8: src stride in bytes
	MOVQ n+32(FP), CX
	SHRQ $4, CX             // CX: blocks of 16 pairs
	LEAQ (R8)(R8*2), R9     // R9: 3 src rows
	LEAQ (DX)(DX*2), R10    // R10: 3 dst rows
	TESTQ CX, CX
	JZ   p4done

p4loop:
	PREFETCHT0 256(SI)
	PREFETCHT0 256(SI)(R8*1)
	PREFETCHT0 256(SI)(R8*2)
	PREFETCHT0 256(SI)(R9*1)
	VMOVUPS (SI), Z4
	VMOVUPS 64(SI), Z5
	// VCVTNE2PS2BF16 Z4, Z5, Z0
	BYTE $0x62; BYTE $0xf2; BYTE $0x57; BYTE $0x48; BYTE $0x72; BYTE $0xc4
	VMOVUPS (SI)(R8*1), Z4
	VMOVUPS 64(SI)(R8*1), Z5
	// VCVTNE2PS2BF16 Z4, Z5, Z1
	BYTE $0x62; BYTE $0xf2; BYTE $0x57; BYTE $0x48; BYTE $0x72; BYTE $0xcc
	VMOVUPS (SI)(R8*2), Z4
	VMOVUPS 64(SI)(R8*2), Z5
	// VCVTNE2PS2BF16 Z4, Z5, Z2
	BYTE $0x62; BYTE $0xf2; BYTE $0x57; BYTE $0x48; BYTE $0x72; BYTE $0xd4
	VMOVUPS (SI)(R9*1), Z4
	VMOVUPS 64(SI)(R9*1), Z5
	// VCVTNE2PS2BF16 Z4, Z5, Z3
	BYTE $0x62; BYTE $0xf2; BYTE $0x57; BYTE $0x48; BYTE $0x72; BYTE $0xdc
	VUNPCKLPS Z1, Z0, Z6    // a0 b0 a1 b1 | a4 b4 a5 b5 | ...
	VUNPCKHPS Z1, Z0, Z7    // a2 b2 a3 b3 | a6 b6 a7 b7 | ...
	VUNPCKLPS Z3, Z2, Z8    // c0 d0 c1 d1 | ...
	VUNPCKHPS Z3, Z2, Z9    // c2 d2 c3 d3 | ...
	VSHUFPS $0x44, Z8, Z6, Z0 // pair 0 | 4 | 8 | 12
	VSHUFPS $0xEE, Z8, Z6, Z1 // pair 1 | 5 | 9 | 13
	VSHUFPS $0x44, Z9, Z7, Z2 // pair 2 | 6 | 10 | 14
	VSHUFPS $0xEE, Z9, Z7, Z3 // pair 3 | 7 | 11 | 15
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(DX*1)
	VMOVUPS X2, (DI)(DX*2)
	VMOVUPS X3, (DI)(R10*1)
	LEAQ (DI)(DX*4), DI
	VEXTRACTF32X4 $1, Z0, (DI)
	VEXTRACTF32X4 $1, Z1, (DI)(DX*1)
	VEXTRACTF32X4 $1, Z2, (DI)(DX*2)
	VEXTRACTF32X4 $1, Z3, (DI)(R10*1)
	LEAQ (DI)(DX*4), DI
	VEXTRACTF32X4 $2, Z0, (DI)
	VEXTRACTF32X4 $2, Z1, (DI)(DX*1)
	VEXTRACTF32X4 $2, Z2, (DI)(DX*2)
	VEXTRACTF32X4 $2, Z3, (DI)(R10*1)
	LEAQ (DI)(DX*4), DI
	VEXTRACTF32X4 $3, Z0, (DI)
	VEXTRACTF32X4 $3, Z1, (DI)(DX*1)
	VEXTRACTF32X4 $3, Z2, (DI)(DX*2)
	VEXTRACTF32X4 $3, Z3, (DI)(R10*1)
	LEAQ (DI)(DX*4), DI
	ADDQ $128, SI
	DECQ CX
	JNZ  p4loop

p4done:
	VZEROUPPER
	RET
