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

// ROW loads the 33 columns of the row at R10 that 16 windows read, as
// columns 0-31 and 1-32 under the load masks K3-K6, and deals them out
// into the windows' left (columns 0, 2, ..., 30), middle (1, 3, ..., 31)
// and right (2, 4, ..., 32) pixels: Z31 and Z30 pick the even and the odd
// lanes of a pair of vectors.
#define ROW(left, mid, right) \
	VMOVUPS.Z 0(R10), K3, left; \
	VMOVUPS.Z 64(R10), K4, Z1; \
	VMOVUPS.Z 4(R10), K5, mid; \
	VMOVUPS.Z 68(R10), K6, Z3; \
	VPERMT2PS Z1, Z31, left; \
	VMOVAPS mid, right; \
	VPERMT2PS Z3, Z31, mid; \
	VPERMT2PS Z3, Z30, right

// TAKE makes the candidate cand, at offset off from the window's top-left,
// the running maximum Z0 (its offset in Z5) where the maximum is not NaN
// and the candidate is not <= it: greater, or NaN.
#define TAKE(cand, off) \
	VCMPPS $7, Z0, Z0, K1; \
	VCMPPS $6, Z0, cand, K1, K2; \
	VMOVAPS cand, K2, Z0; \
	VMOVDQA32 off, K2, Z5

// ROW2 loads the 32 columns of the row at R10 that 16 windows of 2x2
// read, under the load masks K3 and K4, and deals them out into the
// windows' left (columns 0, 2, ..., 30) and right (1, 3, ..., 31) pixels.
#define ROW2(left, right) \
	VMOVUPS.Z 0(R10), K3, left; \
	VMOVUPS.Z 64(R10), K4, Z1; \
	VMOVAPS left, right; \
	VPERMT2PS Z1, Z31, left; \
	VPERMT2PS Z1, Z30, right

// OFFSET broadcasts into z the offset rows*w+cols, w in DX.
#define OFFSET(rows, cols, z) \
	IMUL3Q $rows, DX, R10; \
	ADDQ $cols, R10; \
	VPBROADCASTD R10, z

// POOL_SETUP loads the arguments of a pooling function (see
// maxPool3x3s2AVX512) and Z29 with 0, 1, ..., 15.
#define POOL_SETUP \
	MOVQ x+0(FP), SI; \
	MOVQ w+8(FP), DX; \
	MOVQ y+16(FP), DI; \
	MOVQ arg+24(FP), BX; \
	MOVQ blocks+32(FP), CX; \
	MOVQ i0+40(FP), R8; \
	MOVQ loadMasks+48(FP), R9; \
	MOVQ storeMask+56(FP), R12; \
	VMOVDQU32 iota16<>(SB), Z29

// STRIDE2 sets the lanes' constants of stride-2 windows: Z31 and Z30 the
// even and odd lanes' indices, Z29 each window's top-left index, Z28 the
// 16 windows' step in indices.
#define STRIDE2 \
	VPADDD    Z29, Z29, Z31; \
	VPBROADCASTD R8, Z28; \
	VPADDD    Z31, Z28, Z29; \
	MOVL      $1, R10; \
	VPBROADCASTD R10, Z28; \
	VPADDD    Z28, Z31, Z30; \
	MOVL      $32, R10; \
	VPBROADCASTD R10, Z28

// STRIDE1 sets those of stride-1 windows: Z29 each window's top-left
// index, Z28 the 16 windows' step.
#define STRIDE1 \
	VPBROADCASTD R8, Z28; \
	VPADDD    Z29, Z28, Z29; \
	MOVL      $16, R10; \
	VPBROADCASTD R10, Z28

// POOL_LOOP runs WINDOWS, which leaves 16 windows' maxima in Z0 and their
// offsets from the windows' top-left in Z5 (R10 at the first row, DX the
// row stride in bytes), over the blocks (CX) of step bytes of x, storing
// each block, then once more with the tail's masks (K3-K6 from R9's four
// 16-bit masks, K7 from R12) if R12 is not 0.
#define POOL_LOOP(WINDOWS, step) \
	KXNORW K3, K3, K3; \
	KXNORW K4, K4, K4; \
	KXNORW K5, K5, K5; \
	KXNORW K6, K6, K6; \
	KXNORW K7, K7, K7; \
loop:; \
	TESTQ CX, CX; \
	JZ    tail; \
	MOVQ  SI, R10; \
	WINDOWS; \
	VPADDD    Z29, Z5, Z5; \
	VMOVUPS   Z0, K7, (DI); \
	VMOVDQU32 Z5, K7, (BX); \
	VPADDD    Z28, Z29, Z29; \
	ADDQ      $step, SI; \
	ADDQ      $64, DI; \
	ADDQ      $64, BX; \
	DECQ      CX; \
	JMP       loop; \
tail:; \
	TESTQ  R12, R12; \
	JZ     done; \
	KMOVW  R9, K3; \
	SHRQ   $16, R9; \
	KMOVW  R9, K4; \
	SHRQ   $16, R9; \
	KMOVW  R9, K5; \
	SHRQ   $16, R9; \
	KMOVW  R9, K6; \
	KMOVW  R12, K7; \
	XORQ   R12, R12; \
	MOVQ   $1, CX; \
	JMP    loop; \
done:; \
	VZEROUPPER; \
	RET

// WINDOWS3 takes the maxima of 16 3x3 windows 2 columns apart.
#define WINDOWS3 \
	ROW(Z10, Z11, Z12); \
	ADDQ  DX, R10; \
	ROW(Z13, Z14, Z15); \
	ADDQ  DX, R10; \
	ROW(Z16, Z17, Z18); \
	TAKE9

// ROW1 loads the 18 columns of the row at R10 that 16 windows 1 column
// apart read, as their left, middle and right pixels, under load mask K3.
#define ROW1(left, mid, right) \
	VMOVUPS.Z 0(R10), K3, left; \
	VMOVUPS.Z 4(R10), K3, mid; \
	VMOVUPS.Z 8(R10), K3, right

// WINDOWS3S1 takes the maxima of 16 3x3 windows 1 column apart.
#define WINDOWS3S1 \
	ROW1(Z10, Z11, Z12); \
	ADDQ  DX, R10; \
	ROW1(Z13, Z14, Z15); \
	ADDQ  DX, R10; \
	ROW1(Z16, Z17, Z18); \
	TAKE9

// TAKE9 takes the maxima of the nine candidates of 16 3x3 windows, in
// Z10-Z18 in row-major order, and their offsets (Z20-Z27 those of
// candidates 1-8).
#define TAKE9 \
	VMOVAPS Z10, Z0; \
	VPXORD  Z5, Z5, Z5; \
	TAKE(Z11, Z20); \
	TAKE(Z12, Z21); \
	TAKE(Z13, Z22); \
	TAKE(Z14, Z23); \
	TAKE(Z15, Z24); \
	TAKE(Z16, Z25); \
	TAKE(Z17, Z26); \
	TAKE(Z18, Z27)

// OFFSETS3 sets Z20-Z27 to the offsets of a 3x3 window's candidates 1-8
// from its top-left, and DX to the row stride in bytes.
#define OFFSETS3 \
	OFFSET(0, 1, Z20); \
	OFFSET(0, 2, Z21); \
	OFFSET(1, 0, Z22); \
	OFFSET(1, 1, Z23); \
	OFFSET(1, 2, Z24); \
	OFFSET(2, 0, Z25); \
	OFFSET(2, 1, Z26); \
	OFFSET(2, 2, Z27); \
	SHLQ $2, DX

// func maxPool3x3s2AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMasks, storeMask uint64)
//
// Each step takes 16 windows 2 columns apart. The nine candidates of each
// are taken in row-major order, so the first maximum wins, and the first
// NaN wins over numbers.
TEXT ·maxPool3x3s2AVX512(SB), NOSPLIT, $0-64
	POOL_SETUP
	STRIDE2
	OFFSETS3
	POOL_LOOP(WINDOWS3, 128)

// func maxPool3x3s1AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMask, storeMask uint64)
//
// maxPool3x3s2AVX512 for windows 1 column apart: 16 windows read 18
// columns, three unaligned loads a row.
TEXT ·maxPool3x3s1AVX512(SB), NOSPLIT, $0-64
	POOL_SETUP
	STRIDE1
	OFFSETS3
	POOL_LOOP(WINDOWS3S1, 64)

// WINDOWS2 takes the maxima of 16 2x2 windows.
#define WINDOWS2 \
	ROW2(Z10, Z11); \
	ADDQ  DX, R10; \
	ROW2(Z13, Z14); \
	VMOVAPS Z10, Z0; \
	VPXORD  Z5, Z5, Z5; \
	TAKE(Z11, Z20); \
	TAKE(Z13, Z21); \
	TAKE(Z14, Z22)

// func maxPool2x2s2AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMasks, storeMask uint64)
//
// maxPool3x3s2AVX512 for 2x2 windows: the four candidates in row-major
// order; only the first two load masks count.
TEXT ·maxPool2x2s2AVX512(SB), NOSPLIT, $0-64
	POOL_SETUP
	STRIDE2
	OFFSET(0, 1, Z20)
	OFFSET(1, 0, Z21)
	OFFSET(1, 1, Z22)
	SHLQ $2, DX
	POOL_LOOP(WINDOWS2, 128)
