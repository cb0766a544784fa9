//go:build !purego

#include "textflag.h"

// ROWS runs VEC over every whole vector of sixteen floats of a row and PART
// over its last zero to fifteen under the mask K1, for rows rows: the
// frame of addRowsAVX512 and copyRowsAVX512, which differ only in what
// they do with a vector (R12 the source, R11 the destination).
#define ROWS(VEC, PART) \
	MOVQ dst+0(FP), DI; \
	MOVQ ldd+8(FP), DX; \
	SHLQ $2, DX; \
	MOVQ src+16(FP), SI; \
	MOVQ lds+24(FP), R8; \
	SHLQ $2, R8; \
	MOVQ rows+32(FP), R9; \
	MOVQ w+40(FP), R10; \
	MOVQ R10, CX; \
	ANDQ $15, CX; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1; \
	SHRQ $4, R10; \
row:; \
	MOVQ DI, R11; \
	MOVQ SI, R12; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ tail; \
loop:; \
	VEC; \
	ADDQ $64, R11; \
	ADDQ $64, R12; \
	DECQ CX; \
	JNZ loop; \
tail:; \
	PART; \
	ADDQ DX, DI; \
	ADDQ R8, SI; \
	DECQ R9; \
	JNZ row; \
	VZEROUPPER; \
	RET

// The vectors of addRowsAVX512: dst += src.
#define ADD_VEC VMOVUPS (R12), Z0; VADDPS (R11), Z0, Z0; VMOVUPS Z0, (R11)
#define ADD_PART VMOVUPS.Z (R12), K1, Z0; VMOVUPS.Z (R11), K1, Z1; VADDPS Z1, Z0, Z0; VMOVUPS Z0, K1, (R11)

// The vectors of copyRowsAVX512: dst = src.
#define COPY_VEC VMOVUPS (R12), Z0; VMOVUPS Z0, (R11)
#define COPY_PART VMOVUPS.Z (R12), K1, Z0; VMOVUPS Z0, K1, (R11)

// func addRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, w int)
// dst[r*ldd+j] += src[r*lds+j] for r < rows, j < w.
TEXT ·addRowsAVX512(SB), NOSPLIT, $0-48
	ROWS(ADD_VEC, ADD_PART)

// func copyRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, w int)
// dst[r*ldd+j] = src[r*lds+j] for r < rows, j < w.
TEXT ·copyRowsAVX512(SB), NOSPLIT, $0-48
	ROWS(COPY_VEC, COPY_PART)

// lanes holds 0, 1, ..., 15: a vector's lane numbers.
DATA lanes<>+0(SB)/8, $0x0000000100000000
DATA lanes<>+8(SB)/8, $0x0000000300000002
DATA lanes<>+16(SB)/8, $0x0000000500000004
DATA lanes<>+24(SB)/8, $0x0000000700000006
DATA lanes<>+32(SB)/8, $0x0000000900000008
DATA lanes<>+40(SB)/8, $0x0000000b0000000a
DATA lanes<>+48(SB)/8, $0x0000000d0000000c
DATA lanes<>+56(SB)/8, $0x0000000f0000000e
GLOBL lanes<>(SB), RODATA|NOPTR, $64

// func stridedAVX512(dst, src *float32, n, stride, srcLen int)
// dst[i] = src[i*stride] for i < n, sixteen at a time. With a stride of
// at most 4, a block's lanes 0-7 are a permute (VPERMT2PS) of the 32
// floats from its start and lanes 8-15 of the 32 from element 8*stride:
// four loads, two permutes and a blend. Blocks whose loads would pass
// src's srcLen elements, and other strides, gather lane l from element
// l*stride (VGATHERDPS: 28-35 ns for 54 elements of stride 4 on Zen 4,
// against 13-14 ns through the permutes); the last zero to
// fifteen are gathered under a mask.
TEXT ·stridedAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), BX
	MOVQ stride+24(FP), DX
	MOVQ srcLen+32(FP), R9
	LEAQ (SI)(R9*4), R9
	VMOVDQU32 lanes<>(SB), Z4
	VPBROADCASTD DX, Z5
	VPMULLD Z5, Z4, Z4
	MOVQ DX, R10
	SHLQ $5, R10
	MOVQ DX, AX
	SHLQ $3, AX
	VPBROADCASTD AX, Z9
	VPSUBD Z9, Z4, Z8
	MOVL $0xff00, AX
	KMOVW AX, K3
	MOVQ DX, R11
	SHLQ $6, R11
	LEAQ 128(R10), R13
	XORQ R12, R12
	CMPQ DX, $4
	JGT strided_count
	MOVQ $1, R12

strided_count:
	MOVQ BX, CX
	SHRQ $4, CX
	JZ strided_tail

strided_loop:
	TESTQ R12, R12
	JZ strided_gather
	LEAQ (SI)(R13*1), AX
	CMPQ AX, R9
	JA strided_gather
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VPERMT2PS Z1, Z4, Z0
	VMOVUPS (SI)(R10*1), Z6
	VMOVUPS 64(SI)(R10*1), Z7
	VPERMT2PS Z7, Z8, Z6
	VMOVAPS Z6, K3, Z0
	JMP strided_store

strided_gather:
	KXNORW K1, K1, K1
	VGATHERDPS (SI)(Z4*4), K1, Z0

strided_store:
	VMOVUPS Z0, (DI)
	ADDQ R11, SI
	ADDQ $64, DI
	DECQ CX
	JNZ strided_loop

strided_tail:
	ANDQ $15, BX
	JZ strided_done
	MOVQ BX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	KMOVW AX, K2
	VGATHERDPS (SI)(Z4*4), K1, Z0
	VMOVUPS Z0, K2, (DI)

strided_done:
	VZEROUPPER
	RET
