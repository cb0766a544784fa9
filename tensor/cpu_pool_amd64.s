//go:build !purego

#include "textflag.h"

// iota16<> holds 0, 1, ..., 15.
DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA|NOPTR, $64

// func maxPool3x3s2AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMasks, storeMask uint64)
//
// Each step takes 16 windows 2 columns apart. A row's 33 columns are
// loaded as columns 0-31 and 1-32 and dealt out by permutes into the
// windows' left (even), middle (odd) and right (next even) pixels. The nine
// candidates are then taken in row-major order, a candidate replacing the
// running maximum if it is greater, or if it is NaN and the maximum is not:
// the first maximum wins, and the first NaN wins over numbers.
TEXT ·maxPool3x3s2AVX512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ y+16(FP), DI
	MOVQ arg+24(FP), BX
	MOVQ blocks+32(FP), CX
	MOVQ i0+40(FP), R8
	MOVQ loadMasks+48(FP), R9
	MOVQ storeMask+56(FP), R12

	// Z31, Z30: the even and the odd lanes of a pair of vectors.
	VMOVDQU32 iota16<>(SB), Z29
	VPADDD    Z29, Z29, Z31
	VPBROADCASTD R8, Z28
	VPADDD    Z31, Z28, Z29     // Z29: each window's top-left index
	MOVL      $1, R10
	VPBROADCASTD R10, Z28
	VPADDD    Z28, Z31, Z30
	MOVL      $32, R10
	VPBROADCASTD R10, Z28      // Z28: 16 windows' step in indices

	// Z20-Z27: the offsets of candidates 1-8 from the window's top-left.
	MOVQ $(1), R10
	VPBROADCASTD R10, Z20
	MOVQ $(2), R10
	VPBROADCASTD R10, Z21
	MOVQ DX, R10
	VPBROADCASTD R10, Z22
	MOVQ DX, R10
	ADDQ $1, R10
	VPBROADCASTD R10, Z23
	MOVQ DX, R10
	ADDQ $2, R10
	VPBROADCASTD R10, Z24
	MOVQ DX, R10
	SHLQ $1, R10
	VPBROADCASTD R10, Z25
	MOVQ DX, R10
	SHLQ $1, R10
	ADDQ $1, R10
	VPBROADCASTD R10, Z26
	MOVQ DX, R10
	SHLQ $1, R10
	ADDQ $2, R10
	VPBROADCASTD R10, Z27
	SHLQ $2, DX                // DX: row stride in bytes

	// Full blocks load and store every lane.
	KXNORW K3, K3, K3
	KXNORW K4, K4, K4
	KXNORW K5, K5, K5
	KXNORW K6, K6, K6
	KXNORW K7, K7, K7

loop:
	TESTQ CX, CX
	JZ    tail
	MOVQ  SI, R10
	VMOVUPS.Z 0(R10), K3, Z10
	VMOVUPS.Z 64(R10), K4, Z1
	VMOVUPS.Z 4(R10), K5, Z11
	VMOVUPS.Z 68(R10), K6, Z3
	VPERMT2PS Z1, Z31, Z10      // left pixels: columns 0, 2, ..., 30
	VMOVAPS   Z11, Z12
	VPERMT2PS Z3, Z31, Z11      // middle: 1, 3, ..., 31
	VPERMT2PS Z3, Z30, Z12      // right: 2, 4, ..., 32
	ADDQ DX, R10
	VMOVUPS.Z 0(R10), K3, Z13
	VMOVUPS.Z 64(R10), K4, Z1
	VMOVUPS.Z 4(R10), K5, Z14
	VMOVUPS.Z 68(R10), K6, Z3
	VPERMT2PS Z1, Z31, Z13      // left pixels: columns 0, 2, ..., 30
	VMOVAPS   Z14, Z15
	VPERMT2PS Z3, Z31, Z14      // middle: 1, 3, ..., 31
	VPERMT2PS Z3, Z30, Z15      // right: 2, 4, ..., 32
	ADDQ DX, R10
	VMOVUPS.Z 0(R10), K3, Z16
	VMOVUPS.Z 64(R10), K4, Z1
	VMOVUPS.Z 4(R10), K5, Z17
	VMOVUPS.Z 68(R10), K6, Z3
	VPERMT2PS Z1, Z31, Z16      // left pixels: columns 0, 2, ..., 30
	VMOVAPS   Z17, Z18
	VPERMT2PS Z3, Z31, Z17      // middle: 1, 3, ..., 31
	VPERMT2PS Z3, Z30, Z18      // right: 2, 4, ..., 32
	VMOVAPS Z10, Z0            // Z0: the running maximum
	VPXORD  Z5, Z5, Z5         // Z5: its offset
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z11, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z11, K2, Z0
	VMOVDQA32 Z20, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z12, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z12, K2, Z0
	VMOVDQA32 Z21, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z13, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z13, K2, Z0
	VMOVDQA32 Z22, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z14, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z14, K2, Z0
	VMOVDQA32 Z23, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z15, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z15, K2, Z0
	VMOVDQA32 Z24, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z16, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z16, K2, Z0
	VMOVDQA32 Z25, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z17, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z17, K2, Z0
	VMOVDQA32 Z26, K2, Z5
	VCMPPS    $7, Z0, Z0, K1     // the maximum is not NaN
	VCMPPS    $6, Z0, Z18, K1, K2 // and the candidate is not <= it
	VMOVAPS   Z18, K2, Z0
	VMOVDQA32 Z27, K2, Z5
	VPADDD    Z29, Z5, Z5
	VMOVUPS   Z0, K7, (DI)
	VMOVDQU32 Z5, K7, (BX)
	VPADDD    Z28, Z29, Z29
	ADDQ      $128, SI
	ADDQ      $64, DI
	ADDQ      $64, BX
	DECQ      CX
	JMP       loop

tail:
	// Run the loop once more with the tail's masks, then stop.
	TESTQ  R12, R12
	JZ     done
	KMOVW  R9, K3
	SHRQ   $16, R9
	KMOVW  R9, K4
	SHRQ   $16, R9
	KMOVW  R9, K5
	SHRQ   $16, R9
	KMOVW  R9, K6
	KMOVW  R12, K7
	XORQ   R12, R12
	MOVQ   $1, CX
	JMP    loop

done:
	VZEROUPPER
	RET
