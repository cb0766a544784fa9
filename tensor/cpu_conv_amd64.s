//go:build !purego

#include "textflag.h"

// func addRowsAVX512(dst *float32, ldd int, src *float32, lds int, rows, w int)
// dst[r*ldd+j] += src[r*lds+j] for r < rows, j < w: sixteen floats at a
// time, the last up to fifteen of a row under a mask.
TEXT ·addRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	SHLQ $2, R8
	MOVQ rows+32(FP), R9
	MOVQ w+40(FP), R10

	// K1: the lanes of a row's last, partial vector.
	MOVQ R10, CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	SHRQ $4, R10              // R10: whole vectors per row

row:
	MOVQ DI, R11
	MOVQ SI, R12
	MOVQ R10, CX
	TESTQ CX, CX
	JZ   part

vec:
	VMOVUPS (R12), Z0
	VADDPS  (R11), Z0, Z0
	VMOVUPS Z0, (R11)
	ADDQ    $64, R11
	ADDQ    $64, R12
	DECQ    CX
	JNZ     vec

part:
	VMOVUPS.Z (R12), K1, Z0
	VMOVUPS.Z (R11), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (R11)
	ADDQ DX, DI
	ADDQ R8, SI
	DECQ R9
	JNZ  row
	VZEROUPPER
	RET
