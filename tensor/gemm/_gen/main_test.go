package main

import (
	"strings"
	"testing"
)

// TestDPBF16 compares the hand-made encodings with GNU as's for the same
// instructions (`vdpbf16ps %zmm1, %zmm2, %zmm3` and the high registers).
func TestDPBF16(t *testing.T) {
	for _, c := range []struct {
		src2, src1, dst int
		want            string
	}{
		{1, 2, 3, "BYTE $0x62; BYTE $0xf2; BYTE $0x6e; BYTE $0x48; BYTE $0x52; BYTE $0xd9"},
		{17, 30, 23, "BYTE $0x62; BYTE $0xa2; BYTE $0x0e; BYTE $0x40; BYTE $0x52; BYTE $0xf9"},
		{24, 26, 0, "BYTE $0x62; BYTE $0x92; BYTE $0x2e; BYTE $0x40; BYTE $0x52; BYTE $0xc0"},
		{25, 31, 23, "BYTE $0x62; BYTE $0x82; BYTE $0x06; BYTE $0x40; BYTE $0x52; BYTE $0xf9"},
		{24, 27, 10, "BYTE $0x62; BYTE $0x12; BYTE $0x26; BYTE $0x40; BYTE $0x52; BYTE $0xd0"},
	} {
		if got := dpbf16(c.src2, c.src1, c.dst); got != c.want {
			t.Errorf("dpbf16(%d, %d, %d) = %s, want %s", c.src2, c.src1, c.dst, got, c.want)
		}
	}
}

// TestAMX compares the AMX encodings with GNU as's for the same
// instructions.
func TestAMX(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ldtilecfg("AX"), "c4 e2 78 49 00"},
		{tilerelease(), "c4 e2 78 49 c0"},
		{tilezero(0), "c4 e2 7b 49 c0"},
		{tilezero(3), "c4 e2 7b 49 d8"},
		{tileMem(false, 0, "R10", "R11", 0), "c4 82 7b 4b 04 1a"},
		{tileMem(false, 3, "R12", "R11", 64), "c4 82 7b 4b 5c 1c 40"},
		{tileMem(false, 4, "SI", "DX", 0), "c4 e2 7b 4b 24 16"},
		{tileMem(false, 5, "R8", "DX", 0), "c4 c2 7b 4b 2c 10"},
		{tileMem(false, 7, "DI", "BX", 64), "c4 e2 7b 4b 7c 1f 40"},
		{tileMem(true, 1, "R10", "R11", 64), "c4 82 7a 4b 4c 1a 40"},
		{tileMem(true, 2, "R12", "R11", 0), "c4 82 7a 4b 14 1c"},
		{tdpbf16ps(0, 4, 6), "c4 e2 4a 5c c4"},
		{tdpbf16ps(3, 5, 7), "c4 e2 42 5c dd"},
	} {
		var want []string
		for _, b := range strings.Fields(c.want) {
			want = append(want, "BYTE $0x"+b)
		}
		if w := strings.Join(want, "; "); c.got != w {
			t.Errorf("got %s, want %s", c.got, w)
		}
	}
}
