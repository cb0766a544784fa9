//go:build !purego

#include "textflag.h"

// The passes of batch normalisation (see bnSum in cpu_batchnorm.go) over n
// spans of s floats, stride floats apart, sixteen a step. Every sum keeps
// sixteen float64 lanes, two registers of eight: element j of a span goes
// to lane j%16, the lanes of the Go versions, and the masks of a span's
// last s%16 leave the lanes past its end as they are. No multiply is
// fused with an add, so the bits are the Go versions'.
//
// Registers: SI, DX and R12 point at the current span of up to three
// tensors, R8 holds the stride in bytes, R9 the spans left, R10 a span's
// whole steps; a step reads through DI, R11 and R13.

// SETUP takes s (BX), the stride (R8, in floats) and n (R9), and sets R10,
// R8 in bytes, K1 all ones (a whole step), and the masks of a span's last
// s%16 floats: K2 for the first eight of them, K3 for the others, K4 for
// all sixteen (AX and CX are clobbered).
#define SETUP \
	SHLQ $2, R8; \
	MOVQ BX, R10; \
	SHRQ $4, R10; \
	KXNORW K1, K1, K1; \
	MOVQ BX, CX; \
	ANDQ $15, CX; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K4; \
	KMOVW AX, K2; \
	SHRL $8, AX; \
	KMOVW AX, K3

// SPANS runs STEP(lo, hi, all) over every span: with K1s for each whole
// step of sixteen, then with K2, K3 and K4 for the rest.
#define SPANS(STEP) \
span:; \
	MOVQ SI, DI; \
	MOVQ DX, R11; \
	MOVQ R12, R13; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ tail; \
step:; \
	STEP(K1, K1, K1); \
	ADDQ $64, DI; \
	ADDQ $64, R11; \
	ADDQ $64, R13; \
	DECQ CX; \
	JNZ step; \
tail:; \
	STEP(K2, K3, K4); \
	ADDQ R8, SI; \
	ADDQ R8, DX; \
	ADDQ R8, R12; \
	DECQ R9; \
	JNZ span

// REDUCE adds the sixteen lanes of lo and hi (Z registers) into the low
// lane of lo's X register, pairwise as lanes.total: i and i+8, i and i+4,
// i and i+2, then 0 and 1. yl, xl are lo's Y and X registers; yt, xt those
// of a scratch register.
#define REDUCE(lo, hi, yl, xl, yt, xt) \
	VADDPD hi, lo, lo; \
	VEXTRACTF64X4 $1, lo, yt; \
	VADDPD yt, yl, yl; \
	VEXTRACTF128 $1, yl, xt; \
	VADDPD xt, xl, xl; \
	VPERMILPD $1, xl, xt; \
	VADDSD xt, xl, xl

// SUM adds sixteen x (DI) to Z0 and Z1.
#define SUM(lo, hi, all) \
	VCVTPS2PD.Z (DI), lo, Z2; \
	VCVTPS2PD.Z 32(DI), hi, Z3; \
	VADDPD Z2, Z0, lo, Z0; \
	VADDPD Z3, Z1, hi, Z1

// func bnSumAVX512(x *float32, s, stride, n int) float64
TEXT ·bnSumAVX512(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ s+8(FP), BX
	MOVQ stride+16(FP), R8
	MOVQ n+24(FP), R9
	SETUP
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	SPANS(SUM)
	REDUCE(Z0, Z1, Y0, X0, Y2, X2)
	MOVSD X0, ret+32(FP)
	VZEROUPPER
	RET

// SQDEV adds (v-mean)^2 of the eight lanes of z (Z7 holding the mean) to
// acc under mask k.
#define SQDEV(z, acc, k) \
	VSUBPD Z7, z, z; \
	VMULPD z, z, z; \
	VADDPD z, acc, k, acc

// SQDEVS adds sixteen (x-mean)^2 (x at DI) to Z0 and Z1.
#define SQDEVS(lo, hi, all) \
	VCVTPS2PD.Z (DI), lo, Z2; \
	VCVTPS2PD.Z 32(DI), hi, Z3; \
	SQDEV(Z2, Z0, lo); \
	SQDEV(Z3, Z1, hi)

// func bnSquaredDevAVX512(x *float32, s, stride, n int, mean float64) float64
TEXT ·bnSquaredDevAVX512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ s+8(FP), BX
	MOVQ stride+16(FP), R8
	MOVQ n+24(FP), R9
	VBROADCASTSD mean+32(FP), Z7
	SETUP
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	SPANS(SQDEVS)
	REDUCE(Z0, Z1, Y0, X0, Y2, X2)
	MOVSD X0, ret+40(FP)
	VZEROUPPER
	RET

// DYSUM adds the eight dy of zd to g and dy*(x-mean) to h, x in zx and
// the mean in Z7, under mask k.
#define DYSUM(zd, zx, g, h, k) \
	VADDPD zd, g, k, g; \
	VSUBPD Z7, zx, zx; \
	VMULPD zx, zd, zd; \
	VADDPD zd, h, k, h

// DYSUMS adds sixteen dy (R11) to Z0 and Z1, and dy*(x-mean) (x at DI) to
// Z4 and Z5.
#define DYSUMS(lo, hi, all) \
	VCVTPS2PD.Z (R11), lo, Z2; \
	VCVTPS2PD.Z (DI), lo, Z3; \
	DYSUM(Z2, Z3, Z0, Z4, lo); \
	VCVTPS2PD.Z 32(R11), hi, Z2; \
	VCVTPS2PD.Z 32(DI), hi, Z3; \
	DYSUM(Z2, Z3, Z1, Z5, hi)

// func bnSumsDYAVX512(dy, x *float32, s, stride, n int, mean float64) (sum, sumX float64)
TEXT ·bnSumsDYAVX512(SB), NOSPLIT, $0-64
	MOVQ dy+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ s+16(FP), BX
	MOVQ stride+24(FP), R8
	MOVQ n+32(FP), R9
	VBROADCASTSD mean+40(FP), Z7
	SETUP
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	VXORPD Z4, Z4, Z4
	VXORPD Z5, Z5, Z5
	SPANS(DYSUMS)
	REDUCE(Z0, Z1, Y0, X0, Y2, X2)
	REDUCE(Z4, Z5, Y4, X4, Y2, X2)
	MOVSD X0, sum+48(FP)
	MOVSD X4, sumX+56(FP)
	VZEROUPPER
	RET

// NORMALIZE writes sixteen (x-mean)*k + shift (x at DI) to y (R11), the
// mean, k and shift in Z5, Z6 and Z7.
#define NORMALIZE(lo, hi, all) \
	VMOVUPS.Z (DI), all, Z2; \
	VSUBPS Z5, Z2, Z2; \
	VMULPS Z6, Z2, Z2; \
	VADDPS Z7, Z2, Z2; \
	VMOVUPS Z2, all, (R11)

// func bnNormalizeAVX512(y, x *float32, s, stride, n int, mean, k, shift float32)
TEXT ·bnNormalizeAVX512(SB), NOSPLIT, $0-52
	MOVQ y+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ s+16(FP), BX
	MOVQ stride+24(FP), R8
	MOVQ n+32(FP), R9
	VBROADCASTSS mean+40(FP), Z5
	VBROADCASTSS k+44(FP), Z6
	VBROADCASTSS shift+48(FP), Z7
	SETUP
	SPANS(NORMALIZE)
	VZEROUPPER
	RET

// DATA_GRAD writes eight dx at to from the eight x at xp and dy at dp
// under mask k: k*((dy-meanDY) - ((x-mean)*inv)*meanDYX), in float64, the
// mean, inv, k, meanDY and meanDYX in Z8-Z12.
#define DATA_GRAD(xp, dp, to, k) \
	VCVTPS2PD.Z xp, k, Z2; \
	VSUBPD Z8, Z2, Z2; \
	VMULPD Z9, Z2, Z2; \
	VCVTPS2PD.Z dp, k, Z3; \
	VSUBPD Z11, Z3, Z3; \
	VMULPD Z12, Z2, Z2; \
	VSUBPD Z2, Z3, Z3; \
	VMULPD Z10, Z3, Z3; \
	VCVTPD2PS Z3, Y3; \
	VMOVUPS Y3, k, to

// DATA_GRADS writes sixteen dx (R13) from x (DI) and dy (R11).
#define DATA_GRADS(lo, hi, all) \
	DATA_GRAD((DI), (R11), (R13), lo); \
	DATA_GRAD(32(DI), 32(R11), 32(R13), hi)

// func bnDataGradAVX512(dx, dy, x *float32, s, stride, n int, c *bnGradConsts)
TEXT ·bnDataGradAVX512(SB), NOSPLIT, $0-56
	MOVQ dx+0(FP), R12
	MOVQ dy+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ s+24(FP), BX
	MOVQ stride+32(FP), R8
	MOVQ n+40(FP), R9
	MOVQ c+48(FP), AX
	VBROADCASTSD 0(AX), Z8
	VBROADCASTSD 8(AX), Z9
	VBROADCASTSD 16(AX), Z10
	VBROADCASTSD 24(AX), Z11
	VBROADCASTSD 32(AX), Z12
	SETUP
	SPANS(DATA_GRADS)
	VZEROUPPER
	RET
