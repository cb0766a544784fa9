package main

import "testing"

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
