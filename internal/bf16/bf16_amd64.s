//go:build !purego

#include "textflag.h"

// TAIL_MASK sets K1 to the lowest n%16 bits, for the last, partial vector
// of a slice of n elements (CX holds n; AX and CX are clobbered).
#define TAIL_MASK \
	ANDQ $15, CX; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1

// func roundAVX512(dst *uint16, src *float32, n int)
// Sixteen floats at a time through VCVTNEPS2BF16, the last zero to fifteen
// under a mask. The instruction rounds as Round does.
TEXT ·roundAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), DX
	MOVQ DX, CX
	SHRQ $4, CX
	JZ round_tail

round_loop:
	VMOVUPS (SI), Z0
	// VCVTNEPS2BF16 Z0, Y1
	BYTE $0x62; BYTE $0xf2; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xc8
	VMOVDQU Y1, (DI)
	ADDQ $64, SI
	ADDQ $32, DI
	DECQ CX
	JNZ round_loop

round_tail:
	MOVQ DX, CX
	TAIL_MASK
	KTESTW K1, K1
	JZ round_done
	VMOVUPS.Z (SI), K1, Z0
	// VCVTNEPS2BF16 Z0, Y1
	BYTE $0x62; BYTE $0xf2; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xc8
	VMOVDQU16 Y1, K1, (DI)

round_done:
	VZEROUPPER
	RET

// func widenAVX512(dst *float32, src *uint16, n int)
// Sixteen values at a time: each 16-bit value zero-extended to 32 bits and
// shifted into the upper half.
TEXT ·widenAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), DX
	MOVQ DX, CX
	SHRQ $4, CX
	JZ widen_tail

widen_loop:
	VPMOVZXWD (SI), Z0
	VPSLLD $16, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ widen_loop

widen_tail:
	MOVQ DX, CX
	TAIL_MASK
	KTESTW K1, K1
	JZ widen_done
	VMOVDQU16.Z (SI), K1, Y0
	VPMOVZXWD Y0, Z0
	VPSLLD $16, Z0, Z0
	VMOVUPS Z0, K1, (DI)

widen_done:
	VZEROUPPER
	RET
