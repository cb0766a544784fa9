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
