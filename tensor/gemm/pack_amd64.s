//go:build !purego

#include "textflag.h"
#include "transpose16_amd64.h"

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
	TRANSPOSE16
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

// func prefetchL2Rows(p uintptr, stride, rows, length int)
// Asks for every cache line of rows rows of length bytes, stride bytes
// apart from p, into L2 (PREFETCHT1): a prefetch never faults.
TEXT ·prefetchL2Rows(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), DX
	MOVQ rows+16(FP), CX
	MOVQ length+24(FP), R8
	TESTQ CX, CX
	JZ    pdone
	TESTQ R8, R8
	JZ    pdone

prow:
	XORQ AX, AX

pline:
	PREFETCHT1 (SI)(AX*1)
	ADDQ $64, AX
	CMPQ AX, R8
	JLT  pline
	ADDQ DX, SI
	DECQ CX
	JNZ  prow

pdone:
	RET
