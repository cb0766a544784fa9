//go:build !purego

#include "textflag.h"

// SIGMOID computes Z4 = 1/(1+e^-Z0) for 16 lanes. e^t, t = -x clamped to
// [-104, 104] (beyond which the result is already 0 or 1), is 2^n * e^r
// with n = round(t*log2 e) and r = t - n*ln2 (ln2 in two parts, so r keeps
// its low bits), e^r its Taylor polynomial of degree 7 in float32, and
// VSCALEFPS applies 2^n, overflow and underflow included. A NaN x gives
// itself. Constants: Z20 sign bit, Z21 -104, Z22 104, Z23 log2 e, Z24-Z25
// ln2's high and low parts, Z26-Z31 1/7! ... 1/2!, Z19 1.
#define SIGMOID \
	VXORPS Z20, Z0, Z1; \
	VMAXPS Z21, Z1, Z1; \
	VMINPS Z22, Z1, Z1; \
	VMULPS Z23, Z1, Z2; \
	VRNDSCALEPS $0, Z2, Z2; \
	VFNMADD231PS Z24, Z2, Z1; \
	VFNMADD231PS Z25, Z2, Z1; \
	VMOVAPS Z26, Z3; \
	VFMADD213PS Z27, Z1, Z3; \
	VFMADD213PS Z28, Z1, Z3; \
	VFMADD213PS Z29, Z1, Z3; \
	VFMADD213PS Z30, Z1, Z3; \
	VFMADD213PS Z31, Z1, Z3; \
	VFMADD213PS Z19, Z1, Z3; \
	VFMADD213PS Z19, Z1, Z3; \
	VSCALEFPS Z2, Z3, Z3; \
	VADDPS Z19, Z3, Z3; \
	VDIVPS Z3, Z19, Z4; \
	VCMPPS $3, Z0, Z0, K2; \
	VMOVAPS Z0, K2, Z4

// BROADCAST sets every 32-bit lane of z to the given bits.
#define BROADCAST(bits, z) MOVL bits, AX; VPBROADCASTD AX, z

// MASK_TAIL sets K2 to the lowest n%16 bits, for the last, partial vector
// of n elements (BX holds n; AX and CX are clobbered), and jumps to done
// when there is none.
#define MASK_TAIL(done) \
	ANDQ $15, BX; \
	JZ done; \
	MOVL $1, AX; \
	MOVQ BX, CX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K2

// RELU_MASK is the frame of reluMaskAVX512 and reluMaskBF16AVX512, which
// differ in how they read sixteen mask values into K1 (KEEP, or KEEP_PART
// under K2 for the last, partial vector) and in how many bytes those take
// (STEP): z[i] = y[i] where K1's bit is set, else +0.
#define RELU_MASK(KEEP, KEEP_PART, STEP) \
	MOVQ z+0(FP), DI; \
	MOVQ y+8(FP), SI; \
	MOVQ x+16(FP), DX; \
	MOVQ n+24(FP), BX; \
	MOVQ BX, CX; \
	SHRQ $4, CX; \
	JZ tail; \
loop:; \
	KEEP; \
	VMOVUPS.Z (SI), K1, Z2; \
	VMOVUPS Z2, (DI); \
	ADDQ $64, DI; \
	ADDQ $64, SI; \
	ADDQ STEP, DX; \
	DECQ CX; \
	JNZ loop; \
tail:; \
	MASK_TAIL(done); \
	KEEP_PART; \
	VMOVUPS.Z (SI), K1, Z2; \
	VMOVUPS Z2, K2, (DI); \
done:; \
	VZEROUPPER; \
	RET

// The float32 mask: x > 0, ordered (a NaN is not), against Z0's zeros.
#define KEEP_F32 VMOVUPS (DX), Z1; VCMPPS $0x1e, Z0, Z1, K1
#define KEEP_F32_PART VMOVUPS.Z (DX), K2, Z1; VCMPPS $0x1e, Z0, Z1, K2, K1

// The bfloat16 mask: x-1 < 0x7f80 as 16-bit unsigned integers (sign
// clear, not zero, not NaN), Y3 holding ones and Y4 0x7f80s.
#define KEEP_BF16 VMOVDQU (DX), Y1; VPSUBW Y3, Y1, Y1; VPCMPUW $1, Y4, Y1, K1
#define KEEP_BF16_PART VMOVDQU16.Z (DX), K2, Y1; VPSUBW Y3, Y1, Y1; VPCMPUW $1, Y4, Y1, K2, K1

// func sigmoidAVX512(x, y *float32, n int)
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	BROADCAST($0x80000000, Z20)
	BROADCAST($0xc2d00000, Z21)
	BROADCAST($0x42d00000, Z22)
	BROADCAST($0x3fb8aa3b, Z23)
	BROADCAST($0x3f318000, Z24)
	BROADCAST($0xb95e8083, Z25)
	BROADCAST($0x39500d01, Z26)
	BROADCAST($0x3ab60b61, Z27)
	BROADCAST($0x3c088889, Z28)
	BROADCAST($0x3d2aaaab, Z29)
	BROADCAST($0x3e2aaaab, Z30)
	BROADCAST($0x3f000000, Z31)
	BROADCAST($0x3f800000, Z19)
	MOVQ CX, BX
	SHRQ $4, BX
	ANDQ $15, CX
	TESTQ BX, BX
	JZ tail

loop:
	VMOVUPS (SI), Z0
	SIGMOID
	VMOVUPS Z4, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ BX
	JNZ loop

tail:
	// The last n%16 elements, under a mask of as many lanes.
	TESTQ CX, CX
	JZ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	SIGMOID
	VMOVUPS Z4, K1, (DI)

done:
	VZEROUPPER
	RET

// func reluMaskAVX512(z, y, x *float32, n int)
// z[i] = y[i] where x[i] > 0 (ordered: a NaN is not), else +0.
TEXT ·reluMaskAVX512(SB), NOSPLIT, $0-32
	VXORPS Z0, Z0, Z0
	RELU_MASK(KEEP_F32, KEEP_F32_PART, $64)

// func reluMaskBF16AVX512(z, y *float32, x *uint16, n int)
// z[i] = y[i] where the bfloat16 x[i] is positive, else +0.
TEXT ·reluMaskBF16AVX512(SB), NOSPLIT, $0-32
	BROADCAST($0x00010001, Y3)
	BROADCAST($0x7f807f80, Y4)
	RELU_MASK(KEEP_BF16, KEEP_BF16_PART, $32)

// BIAS_RELU adds the bias Z3 to Z1, then zeroes the lanes that are not
// above 0 or NaN (compare "not less or equal, unordered" against Z0's
// zeros) unless K4, all ones when there is no ReLU, keeps them.
#define BIAS_RELU VADDPS Z3, Z1, Z1; VCMPPS $0x16, Z0, Z1, K1; KORW K4, K1, K1; VMOVAPS.Z Z1, K1, Z1

// func addBiasAVX512(y *float32, n int, b float32, relu bool)
// y[i] += b, then, where relu is set, y[i] = y[i] if it is above 0 or NaN,
// else +0.
TEXT ·addBiasAVX512(SB), NOSPLIT, $0-21
	MOVQ y+0(FP), DI
	MOVQ n+8(FP), BX
	VBROADCASTSS b+16(FP), Z3
	MOVBLZX relu+20(FP), AX
	DECL AX
	KMOVW AX, K4
	VXORPS Z0, Z0, Z0
	MOVQ BX, CX
	SHRQ $4, CX
	JZ bias_tail

bias_loop:
	VMOVUPS (DI), Z1
	BIAS_RELU
	VMOVUPS Z1, (DI)
	ADDQ $64, DI
	DECQ CX
	JNZ bias_loop

bias_tail:
	MASK_TAIL(bias_done)
	VMOVUPS.Z (DI), K2, Z1
	BIAS_RELU
	VMOVUPS Z1, K2, (DI)

bias_done:
	VZEROUPPER
	RET
