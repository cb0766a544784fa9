//go:build !purego

#include "textflag.h"

// The passes of batch normalisation (see bnSum in cpu_batchnorm.go) over n
// spans of s floats, stride floats apart, sixteen a step. A span's last
// s%16 go through masks: K2 for the first eight of a step, K3 for the
// others, set by TAIL_MASKS. Every sum keeps sixteen float64 lanes, two
// registers of eight: element j of a span goes to lane j%16, the lanes of
// the Go versions, and the masks leave the lanes past a span's end as
// they are. No multiply is fused with an add, so the bits are the Go
// versions'.

// TAIL_MASKS sets K2 and K3 from s (BX; AX and CX are clobbered) and R10
// to the span's whole steps of sixteen.
#define TAIL_MASKS \
	MOVQ BX, R10; \
	SHRQ $4, R10; \
	MOVQ BX, CX; \
	ANDQ $15, CX; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K2; \
	SHRL $8, AX; \
	KMOVW AX, K3

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

// func bnSumAVX512(x *float32, s, stride, n int) float64
TEXT ·bnSumAVX512(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ s+8(FP), BX
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ n+24(FP), R9
	TAIL_MASKS
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1

sum_span:
	MOVQ SI, DI
	MOVQ R10, CX
	TESTQ CX, CX
	JZ sum_tail

sum_step:
	VCVTPS2PD (DI), Z2
	VCVTPS2PD 32(DI), Z3
	VADDPD Z2, Z0, Z0
	VADDPD Z3, Z1, Z1
	ADDQ $64, DI
	DECQ CX
	JNZ sum_step

sum_tail:
	VCVTPS2PD.Z (DI), K2, Z2
	VCVTPS2PD.Z 32(DI), K3, Z3
	VADDPD Z2, Z0, K2, Z0
	VADDPD Z3, Z1, K3, Z1
	ADDQ R8, SI
	DECQ R9
	JNZ sum_span

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

// func bnSquaredDevAVX512(x *float32, s, stride, n int, mean float64) float64
TEXT ·bnSquaredDevAVX512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ s+8(FP), BX
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ n+24(FP), R9
	VBROADCASTSD mean+32(FP), Z7
	TAIL_MASKS
	KXNORW K1, K1, K1
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1

dev_span:
	MOVQ SI, DI
	MOVQ R10, CX
	TESTQ CX, CX
	JZ dev_tail

dev_step:
	VCVTPS2PD (DI), Z2
	VCVTPS2PD 32(DI), Z3
	SQDEV(Z2, Z0, K1)
	SQDEV(Z3, Z1, K1)
	ADDQ $64, DI
	DECQ CX
	JNZ dev_step

dev_tail:
	VCVTPS2PD.Z (DI), K2, Z2
	VCVTPS2PD.Z 32(DI), K3, Z3
	SQDEV(Z2, Z0, K2)
	SQDEV(Z3, Z1, K3)
	ADDQ R8, SI
	DECQ R9
	JNZ dev_span

	REDUCE(Z0, Z1, Y0, X0, Y2, X2)
	MOVSD X0, ret+40(FP)
	VZEROUPPER
	RET

// DYSUMS adds the eight dy of zd to g and dy*(x-mean) to h, x in zx and
// the mean in Z7, under mask k.
#define DYSUMS(zd, zx, g, h, k) \
	VADDPD zd, g, k, g; \
	VSUBPD Z7, zx, zx; \
	VMULPD zx, zd, zd; \
	VADDPD zd, h, k, h

// func bnSumsDYAVX512(dy, x *float32, s, stride, n int, mean float64) (sum, sumX float64)
TEXT ·bnSumsDYAVX512(SB), NOSPLIT, $0-64
	MOVQ dy+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ s+16(FP), BX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ n+32(FP), R9
	VBROADCASTSD mean+40(FP), Z7
	TAIL_MASKS
	KXNORW K1, K1, K1
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	VXORPD Z4, Z4, Z4
	VXORPD Z5, Z5, Z5

dys_span:
	MOVQ SI, DI
	MOVQ DX, R11
	MOVQ R10, CX
	TESTQ CX, CX
	JZ dys_tail

dys_step:
	VCVTPS2PD (R11), Z2
	VCVTPS2PD (DI), Z3
	DYSUMS(Z2, Z3, Z0, Z4, K1)
	VCVTPS2PD 32(R11), Z2
	VCVTPS2PD 32(DI), Z3
	DYSUMS(Z2, Z3, Z1, Z5, K1)
	ADDQ $64, DI
	ADDQ $64, R11
	DECQ CX
	JNZ dys_step

dys_tail:
	VCVTPS2PD.Z (R11), K2, Z2
	VCVTPS2PD.Z (DI), K2, Z3
	DYSUMS(Z2, Z3, Z0, Z4, K2)
	VCVTPS2PD.Z 32(R11), K3, Z2
	VCVTPS2PD.Z 32(DI), K3, Z3
	DYSUMS(Z2, Z3, Z1, Z5, K3)
	ADDQ R8, SI
	ADDQ R8, DX
	DECQ R9
	JNZ dys_span

	REDUCE(Z0, Z1, Y0, X0, Y2, X2)
	REDUCE(Z4, Z5, Y4, X4, Y2, X2)
	MOVSD X0, sum+48(FP)
	MOVSD X4, sumX+56(FP)
	VZEROUPPER
	RET

// NORMALIZE computes (v-mean)*k + shift in z, the mean, k and shift in Z5,
// Z6 and Z7.
#define NORMALIZE(z) VSUBPS Z5, z, z; VMULPS Z6, z, z; VADDPS Z7, z, z

// func bnNormalizeAVX512(y, x *float32, s, stride, n int, mean, k, shift float32)
TEXT ·bnNormalizeAVX512(SB), NOSPLIT, $0-52
	MOVQ y+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ s+16(FP), BX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ n+32(FP), R9
	VBROADCASTSS mean+40(FP), Z5
	VBROADCASTSS k+44(FP), Z6
	VBROADCASTSS shift+48(FP), Z7
	TAIL_MASKS
	KUNPCKBW K2, K3, K4 // the tail's sixteen lanes: K3 high, K2 low

norm_span:
	MOVQ SI, DI
	MOVQ DX, R11
	MOVQ R10, CX
	TESTQ CX, CX
	JZ norm_tail

norm_step:
	VMOVUPS (DI), Z2
	NORMALIZE(Z2)
	VMOVUPS Z2, (R11)
	ADDQ $64, DI
	ADDQ $64, R11
	DECQ CX
	JNZ norm_step

norm_tail:
	VMOVUPS.Z (DI), K4, Z2
	NORMALIZE(Z2)
	VMOVUPS Z2, K4, (R11)
	ADDQ R8, SI
	ADDQ R8, DX
	DECQ R9
	JNZ norm_span

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

// func bnDataGradAVX512(dx, dy, x *float32, s, stride, n int, c *bnGradConsts)
TEXT ·bnDataGradAVX512(SB), NOSPLIT, $0-56
	MOVQ dx+0(FP), R12
	MOVQ dy+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ s+24(FP), BX
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	MOVQ n+40(FP), R9
	MOVQ c+48(FP), AX
	VBROADCASTSD 0(AX), Z8
	VBROADCASTSD 8(AX), Z9
	VBROADCASTSD 16(AX), Z10
	VBROADCASTSD 24(AX), Z11
	VBROADCASTSD 32(AX), Z12
	TAIL_MASKS
	KXNORW K1, K1, K1

grad_span:
	MOVQ SI, DI
	MOVQ DX, R11
	MOVQ R12, R13
	MOVQ R10, CX
	TESTQ CX, CX
	JZ grad_tail

grad_step:
	DATA_GRAD((DI), (R11), (R13), K1)
	DATA_GRAD(32(DI), 32(R11), 32(R13), K1)
	ADDQ $64, DI
	ADDQ $64, R11
	ADDQ $64, R13
	DECQ CX
	JNZ grad_step

grad_tail:
	DATA_GRAD((DI), (R11), (R13), K2)
	DATA_GRAD(32(DI), 32(R11), 32(R13), K3)
	ADDQ R8, SI
	ADDQ R8, DX
	ADDQ R8, R12
	DECQ R9
	JNZ grad_span

	VZEROUPPER
	RET
