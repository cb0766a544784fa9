//go:build !purego

#include "textflag.h"

// func transpose4AVX(dst *float32, ldd int, src *float32, lds int, n int)
// dst[p*ldd+i] = src[i*lds+p] for i < 4, p < n: four rows of src become
// n runs of four floats in dst. Eight columns at a time are transposed
// in registers as two 4x4 blocks, one per 128-bit lane.
TEXT ·transpose4AVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX             // DX: dst stride in bytes
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	SHLQ $2, R8             // R8: src stride in bytes
	MOVQ n+32(FP), CX
	LEAQ (R8)(R8*2), R9     // R9: 3 src rows
	LEAQ (DX)(DX*2), R10    // R10: 3 dst rows
	CMPQ CX, $8
	JLT  tail

loop8:
	// The rows of A come from L3 at best: ask for them 8 steps early.
	PREFETCHT0 256(SI)
	PREFETCHT0 256(SI)(R8*1)
	PREFETCHT0 256(SI)(R8*2)
	PREFETCHT0 256(SI)(R9*1)
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VUNPCKLPS Y1, Y0, Y4    // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS Y1, Y0, Y5    // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS Y3, Y2, Y6    // c0 d0 c1 d1 | c4 d4 c5 d5
	VUNPCKHPS Y3, Y2, Y7    // c2 d2 c3 d3 | c6 d6 c7 d7
	VSHUFPS $0x44, Y6, Y4, Y0 // column 0 | column 4
	VSHUFPS $0xEE, Y6, Y4, Y1 // column 1 | column 5
	VSHUFPS $0x44, Y7, Y5, Y2 // column 2 | column 6
	VSHUFPS $0xEE, Y7, Y5, Y3 // column 3 | column 7
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(DX*1)
	VMOVUPS X2, (DI)(DX*2)
	VMOVUPS X3, (DI)(R10*1)
	LEAQ (DI)(DX*4), DI
	VEXTRACTF128 $1, Y0, (DI)
	VEXTRACTF128 $1, Y1, (DI)(DX*1)
	VEXTRACTF128 $1, Y2, (DI)(DX*2)
	VEXTRACTF128 $1, Y3, (DI)(R10*1)
	LEAQ (DI)(DX*4), DI
	ADDQ $32, SI
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  loop8

tail:
	TESTQ CX, CX
	JZ    done

tail1:
	MOVL (SI), AX
	MOVL AX, (DI)
	MOVL (SI)(R8*1), AX
	MOVL AX, 4(DI)
	MOVL (SI)(R8*2), AX
	MOVL AX, 8(DI)
	MOVL (SI)(R9*1), AX
	MOVL AX, 12(DI)
	ADDQ $4, SI
	ADDQ DX, DI
	DECQ CX
	JNZ  tail1

done:
	VZEROUPPER
	RET

// func copyRowsAVX(dst *float32, ldd int, src *float32, lds int, rows, w, ahead int)
// dst[r*ldd+j] = src[r*lds+j] for r < rows, j < w: the short strided
// copies of packing, without a memmove call per row. Each source vector's
// cache line ahead bytes further on is prefetched.
TEXT ·copyRowsAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	SHLQ $2, R8
	MOVQ rows+32(FP), CX
	MOVQ w+40(FP), R9
	MOVQ ahead+48(FP), R11
	TESTQ CX, CX
	JZ    cdone

crow:
	MOVQ R9, BX             // floats left in this row
	XORQ AX, AX             // byte offset in the row
	LEAQ (SI)(R11*1), R12   // where to prefetch
	CMPQ BX, $8
	JLT  c4

c8:
	PREFETCHT0 (R12)(AX*1)
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $8, BX
	CMPQ BX, $8
	JGE  c8

c4:
	CMPQ BX, $4
	JLT  c1
	VMOVUPS (SI)(AX*1), X0
	VMOVUPS X0, (DI)(AX*1)
	ADDQ $16, AX
	SUBQ $4, BX

c1:
	TESTQ BX, BX
	JZ    cnext
	MOVL (SI)(AX*1), R10
	MOVL R10, (DI)(AX*1)
	ADDQ $4, AX
	DECQ BX
	JMP  c1

cnext:
	ADDQ DX, DI
	ADDQ R8, SI
	DECQ CX
	JNZ  crow

cdone:
	VZEROUPPER
	RET

// LOAD4 loads the four rows of src from R11 (R8 apart, R9 = 3*R8) and
// prefetches each row 256 bytes on, where the next block will read.
#define LOAD4(r0, r1, r2, r3) \
	PREFETCHT0 256(R11); \
	PREFETCHT0 256(R11)(R8*1); \
	PREFETCHT0 256(R11)(R8*2); \
	PREFETCHT0 256(R11)(R9*1); \
	VMOVUPS (R11), r0; \
	VMOVUPS (R11)(R8*1), r1; \
	VMOVUPS (R11)(R8*2), r2; \
	VMOVUPS (R11)(R9*1), r3

// STORE4 stores four runs of sixteen at R11 (DX apart, R10 = 3*DX) and
// moves R11 past them.
#define STORE4(r0, r1, r2, r3) \
	VMOVUPS r0, (R11); \
	VMOVUPS r1, (R11)(DX*1); \
	VMOVUPS r2, (R11)(DX*2); \
	VMOVUPS r3, (R11)(R10*1); \
	LEAQ (R11)(DX*4), R11

// func transpose16AVX512(dst *float32, ldd int, src *float32, lds int, n int)
// dst[p*ldd+i] = src[i*lds+p] for i < 16, p < n, n a multiple of 16:
// sixteen rows of src become n runs of sixteen floats in dst, each one
// 64-byte store. A 16x16 block is transposed in registers in four rounds
// of shuffles: floats, pairs, 128-bit lanes, and lanes again.
TEXT ·transpose16AVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX             // DX: dst stride in bytes
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	SHLQ $2, R8             // R8: src stride in bytes
	MOVQ n+32(FP), CX
	SHRQ $4, CX             // CX: 16x16 blocks
	LEAQ (R8)(R8*2), R9     // R9: 3 src rows
	LEAQ (DX)(DX*2), R10    // R10: 3 dst rows
	TESTQ CX, CX
	JZ   t16done

t16loop:
	MOVQ SI, R11
	LOAD4(Z0, Z1, Z2, Z3)
	LEAQ (R11)(R8*4), R11
	LOAD4(Z4, Z5, Z6, Z7)
	LEAQ (R11)(R8*4), R11
	LOAD4(Z8, Z9, Z10, Z11)
	LEAQ (R11)(R8*4), R11
	LOAD4(Z12, Z13, Z14, Z15)
	// Round 1: pairs of rows interleaved: a0 b0 a1 b1 | a4 b4 ...
	VUNPCKLPS Z1, Z0, Z16
	VUNPCKHPS Z1, Z0, Z17
	VUNPCKLPS Z3, Z2, Z18
	VUNPCKHPS Z3, Z2, Z19
	VUNPCKLPS Z5, Z4, Z20
	VUNPCKHPS Z5, Z4, Z21
	VUNPCKLPS Z7, Z6, Z22
	VUNPCKHPS Z7, Z6, Z23
	VUNPCKLPS Z9, Z8, Z24
	VUNPCKHPS Z9, Z8, Z25
	VUNPCKLPS Z11, Z10, Z26
	VUNPCKHPS Z11, Z10, Z27
	VUNPCKLPS Z13, Z12, Z28
	VUNPCKHPS Z13, Z12, Z29
	VUNPCKLPS Z15, Z14, Z30
	VUNPCKHPS Z15, Z14, Z31
	// Round 2: four rows per 128-bit lane: a0 b0 c0 d0 | a4 b4 c4 d4 ...
	VUNPCKLPD Z18, Z16, Z0
	VUNPCKHPD Z18, Z16, Z1
	VUNPCKLPD Z19, Z17, Z2
	VUNPCKHPD Z19, Z17, Z3
	VUNPCKLPD Z22, Z20, Z4
	VUNPCKHPD Z22, Z20, Z5
	VUNPCKLPD Z23, Z21, Z6
	VUNPCKHPD Z23, Z21, Z7
	VUNPCKLPD Z26, Z24, Z8
	VUNPCKHPD Z26, Z24, Z9
	VUNPCKLPD Z27, Z25, Z10
	VUNPCKHPD Z27, Z25, Z11
	VUNPCKLPD Z30, Z28, Z12
	VUNPCKHPD Z30, Z28, Z13
	VUNPCKLPD Z31, Z29, Z14
	VUNPCKHPD Z31, Z29, Z15
	// Round 3: lanes 0 and 2, then 1 and 3, of rows 0-3 with rows 4-7
	// (and 8-11 with 12-15).
	VSHUFF32X4 $0x88, Z4, Z0, Z16
	VSHUFF32X4 $0x88, Z5, Z1, Z17
	VSHUFF32X4 $0x88, Z6, Z2, Z18
	VSHUFF32X4 $0x88, Z7, Z3, Z19
	VSHUFF32X4 $0xdd, Z4, Z0, Z20
	VSHUFF32X4 $0xdd, Z5, Z1, Z21
	VSHUFF32X4 $0xdd, Z6, Z2, Z22
	VSHUFF32X4 $0xdd, Z7, Z3, Z23
	VSHUFF32X4 $0x88, Z12, Z8, Z24
	VSHUFF32X4 $0x88, Z13, Z9, Z25
	VSHUFF32X4 $0x88, Z14, Z10, Z26
	VSHUFF32X4 $0x88, Z15, Z11, Z27
	VSHUFF32X4 $0xdd, Z12, Z8, Z28
	VSHUFF32X4 $0xdd, Z13, Z9, Z29
	VSHUFF32X4 $0xdd, Z14, Z10, Z30
	VSHUFF32X4 $0xdd, Z15, Z11, Z31
	// Round 4: column p of the block in Z(p).
	VSHUFF32X4 $0x88, Z24, Z16, Z0
	VSHUFF32X4 $0x88, Z25, Z17, Z1
	VSHUFF32X4 $0x88, Z26, Z18, Z2
	VSHUFF32X4 $0x88, Z27, Z19, Z3
	VSHUFF32X4 $0x88, Z28, Z20, Z4
	VSHUFF32X4 $0x88, Z29, Z21, Z5
	VSHUFF32X4 $0x88, Z30, Z22, Z6
	VSHUFF32X4 $0x88, Z31, Z23, Z7
	VSHUFF32X4 $0xdd, Z24, Z16, Z8
	VSHUFF32X4 $0xdd, Z25, Z17, Z9
	VSHUFF32X4 $0xdd, Z26, Z18, Z10
	VSHUFF32X4 $0xdd, Z27, Z19, Z11
	VSHUFF32X4 $0xdd, Z28, Z20, Z12
	VSHUFF32X4 $0xdd, Z29, Z21, Z13
	VSHUFF32X4 $0xdd, Z30, Z22, Z14
	VSHUFF32X4 $0xdd, Z31, Z23, Z15
	MOVQ DI, R11
	STORE4(Z0, Z1, Z2, Z3)
	STORE4(Z4, Z5, Z6, Z7)
	STORE4(Z8, Z9, Z10, Z11)
	STORE4(Z12, Z13, Z14, Z15)
	MOVQ R11, DI
	ADDQ $64, SI
	DECQ CX
	JNZ  t16loop

t16done:
	VZEROUPPER
	RET
