//go:build !purego

#include "textflag.h"

// SLICE is the frame of roundAVX512 and widenAVX512, which differ in what
// they do with sixteen values (VEC, and PART under the mask K1 for the
// last zero to fifteen) and in how many bytes sixteen take in the source
// and the destination (SSTEP, DSTEP): SI walks the source, DI the
// destination.
#define SLICE(VEC, PART, SSTEP, DSTEP) \
	MOVQ dst+0(FP), DI; \
	MOVQ src+8(FP), SI; \
	MOVQ n+16(FP), DX; \
	MOVQ DX, CX; \
	SHRQ $4, CX; \
	JZ tail; \
loop:; \
	VEC; \
	ADDQ SSTEP, SI; \
	ADDQ DSTEP, DI; \
	DECQ CX; \
	JNZ loop; \
tail:; \
	MOVQ DX, CX; \
	ANDQ $15, CX; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1; \
	KTESTW K1, K1; \
	JZ done; \
	PART; \
done:; \
	VZEROUPPER; \
	RET

// VCVTNEPS2BF16 Z0, Y1 (Go's assembler does not know it; the bytes are
// GNU as's): sixteen floats rounded as Round does.
#define CVT BYTE $0x62; BYTE $0xf2; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xc8

#define ROUND_VEC VMOVUPS (SI), Z0; CVT; VMOVDQU Y1, (DI)
#define ROUND_PART VMOVUPS.Z (SI), K1, Z0; CVT; VMOVDQU16 Y1, K1, (DI)

// Each 16-bit value zero-extended to 32 bits and shifted into the upper
// half.
#define WIDEN_VEC VPMOVZXWD (SI), Z0; VPSLLD $16, Z0, Z0; VMOVUPS Z0, (DI)
#define WIDEN_PART VMOVDQU16.Z (SI), K1, Y0; VPMOVZXWD Y0, Z0; VPSLLD $16, Z0, Z0; VMOVUPS Z0, K1, (DI)

// func roundAVX512(dst *uint16, src *float32, n int)
TEXT ·roundAVX512(SB), NOSPLIT, $0-24
	SLICE(ROUND_VEC, ROUND_PART, $64, $32)

// func widenAVX512(dst *float32, src *uint16, n int)
TEXT ·widenAVX512(SB), NOSPLIT, $0-24
	SLICE(WIDEN_VEC, WIDEN_PART, $32, $64)
