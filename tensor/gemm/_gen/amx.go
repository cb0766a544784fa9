package main

import (
	"bytes"
	"fmt"
	"strings"
)

// AMX instructions, which Go's assembler does not know, written out as
// their VEX bytes. Tile registers are 0-7; general registers are numbered
// as in the ModRM encoding (AX 0, CX 1, DX 2, BX 3, SP 4, BP 5, SI 6, DI 7,
// R8-R15 8-15).

// amxRegs maps the Go assembler's names of the general registers the AMX
// kernel uses to their encoding numbers.
var amxRegs = map[string]int{
	"AX": 0, "CX": 1, "DX": 2, "BX": 3, "SI": 6, "DI": 7,
	"R8": 8, "R9": 9, "R10": 10, "R11": 11, "R12": 12, "R13": 13,
}

// vex3 returns a three-byte VEX prefix for map 0F38, W0, L0: r, x and b are
// the high bits of ModRM.reg, SIB.index and ModRM.rm or SIB.base, vvvv the
// extra register operand (15 where there is none), pp the implied prefix
// (0 none, 2 F3, 3 F2).
func vex3(r, x, b, vvvv, pp int) []int {
	inv := func(bit int) int { return ^bit & 1 }
	return []int{0xc4, inv(r)<<7 | inv(x)<<6 | inv(b)<<5 | 0b00010, (^vvvv&0xf)<<3 | pp}
}

// bytesLine joins instruction bytes into BYTE directives.
func bytesLine(bs []int) string {
	var s []string
	for _, b := range bs {
		s = append(s, fmt.Sprintf("BYTE $0x%02x", b))
	}
	return strings.Join(s, "; ")
}

// ldtilecfg returns LDTILECFG (base): load the tile configuration.
func ldtilecfg(base string) string {
	r := amxRegs[base]
	if r&7 == 4 || r&7 == 5 {
		panic("ldtilecfg: base needs a SIB byte or displacement")
	}
	return bytesLine(append(vex3(0, 0, r>>3, 0, 0), 0x49, r&7))
}

// tilerelease returns TILERELEASE: tiles back to their initial state.
func tilerelease() string { return bytesLine(append(vex3(0, 0, 0, 0, 0), 0x49, 0xc0)) }

// tilezero returns TILEZERO tmm(t).
func tilezero(t int) string { return bytesLine(append(vex3(0, 0, 0, 0, 3), 0x49, 0xc0|t<<3)) }

// tileMem returns a tile load (TILELOADD, store false) or store (TILESTORED)
// of tmm(t) at disp(base)(index*1): rows index bytes apart.
func tileMem(store bool, t int, base, index string, disp int) string {
	b, x := amxRegs[base], amxRegs[index]
	pp := 3
	if store {
		pp = 2
	}
	mod, tail := 0, []int{}
	if disp != 0 || b&7 == 5 { // base 5 (BP, R13) with mod 0 means no base
		mod, tail = 1, []int{disp}
	}
	if disp < -128 || disp > 127 {
		panic("tileMem: displacement past 8 bits")
	}
	out := append(vex3(0, x>>3, b>>3, 0, pp), 0x4b, mod<<6|t<<3|0b100, (x&7)<<3|b&7)
	return bytesLine(append(out, tail...))
}

// tdpbf16ps returns TDPBF16PS tmm(c) += tmm(a) . tmm(b): pairs of bfloat16
// in a's rows times the pairs in b's, summed into c's float32 lanes.
func tdpbf16ps(c, a, b int) string {
	return bytesLine(append(vex3(0, 0, 0, b, 2), 0x5c, 0xc0|c<<3|a))
}

// The AMX kernel's name, Go parameters and what its arguments must be.
const (
	amxName     = "kernelAMXStrip"
	amxParams   = "cfg *byte, k int, a *float32, ars int, b *float32, ldb, ps, panels int, c *float32, ldc int, accumulate bool"
	amxContract = "panels >= 1 tiles of 32x32, k a positive multiple of 16 (pairs)"
)

// writeAMX appends kernelAMXStrip: panels 32x32 tiles of C side by side
// (32 columns apart), each from the same rows of bfloat16 pairs of A (ars
// floats apart, pairs consecutive) and its own packed 32-column panel of
// B's pairs (ldb floats a pair row, panels ps floats apart), k pairs deep,
// k a multiple of 16. A tile's four 16x16 quarters live in tmm0-3, A's two
// row halves in tmm4-5 and B's two column halves in tmm6-7. With
// accumulate the tiles add to C, otherwise they overwrite it. The tile
// configuration is loaded once for the strip: loading it and releasing
// the tiles costs about as much as 16 pairs of a tile's arithmetic.
func writeAMX(w *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	name := amxName
	fmt.Fprintf(w, "\n// func %s(%s)\n// %s.\n", name, amxParams, amxContract)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-81\n", name)
	p("MOVQ cfg+0(FP), AX")
	p("%s // LDTILECFG (AX)", ldtilecfg("AX"))
	// DX: a row of A in bytes. BX: a pair row of B in bytes, R13 sixteen.
	// AX: the current panel of B. R9: panels left.
	p("MOVQ ars+24(FP), DX")
	p("SHLQ $2, DX")
	p("MOVQ ldb+40(FP), BX")
	p("SHLQ $2, BX")
	p("MOVQ BX, R13")
	p("SHLQ $4, R13")
	p("MOVQ b+32(FP), AX")
	p("MOVQ panels+56(FP), R9")
	// R10 and R12: the current tile's rows 0 and 16 of C; R11: a row of C
	// in bytes.
	p("MOVQ c+64(FP), R10")
	p("MOVQ ldc+72(FP), R11")
	p("SHLQ $2, R11")
	p("MOVQ R11, R12")
	p("SHLQ $4, R12")
	p("ADDQ R10, R12")
	quarters := []struct {
		base string
		disp int
	}{{"R10", 0}, {"R10", 64}, {"R12", 0}, {"R12", 64}}
	fmt.Fprintf(w, "%s_panel:\n", name)
	// SI and R8: A's rows 0 and 16; DI: B's current 16 pair rows; CX:
	// steps of 16 pairs left.
	p("MOVQ a+16(FP), SI")
	p("MOVQ DX, R8")
	p("SHLQ $4, R8")
	p("ADDQ SI, R8")
	p("MOVQ AX, DI")
	p("MOVQ k+8(FP), CX")
	p("SHRQ $4, CX")
	p("CMPB accumulate+80(FP), $0")
	p("JEQ %s_zero", name)
	for t, q := range quarters {
		p("%s // TILELOADD %d(%s)(R11*1), TMM%d", tileMem(false, t, q.base, "R11", q.disp), q.disp, q.base, t)
	}
	p("JMP %s_loop", name)
	fmt.Fprintf(w, "%s_zero:\n", name)
	for t := range quarters {
		p("%s // TILEZERO TMM%d", tilezero(t), t)
	}
	fmt.Fprintf(w, "%s_loop:\n", name)
	p("%s // TILELOADD (SI)(DX*1), TMM4", tileMem(false, 4, "SI", "DX", 0))
	p("%s // TILELOADD (R8)(DX*1), TMM5", tileMem(false, 5, "R8", "DX", 0))
	p("%s // TILELOADD (DI)(BX*1), TMM6", tileMem(false, 6, "DI", "BX", 0))
	p("%s // TILELOADD 64(DI)(BX*1), TMM7", tileMem(false, 7, "DI", "BX", 64))
	for t := range quarters {
		a, b := 4+t/2, 6+t%2
		p("%s // TDPBF16PS TMM%d += TMM%d . TMM%d", tdpbf16ps(t, a, b), t, a, b)
	}
	p("ADDQ $64, SI")
	p("ADDQ $64, R8")
	p("ADDQ R13, DI")
	p("DECQ CX")
	p("JNZ %s_loop", name)
	for t, q := range quarters {
		p("%s // TILESTORED TMM%d, %d(%s)(R11*1)", tileMem(true, t, q.base, "R11", q.disp), t, q.disp, q.base)
	}
	// The next panel of B and the next 32 columns of C.
	p("MOVQ ps+48(FP), CX")
	p("LEAQ (AX)(CX*4), AX")
	p("ADDQ $128, R10")
	p("ADDQ $128, R12")
	p("DECQ R9")
	p("JNZ %s_panel", name)
	p("%s // TILERELEASE", tilerelease())
	p("RET")
}
