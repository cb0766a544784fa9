package amx

import (
	"os"
	"strings"
	"testing"
)

// TestUsableMatchesCPU checks that a CPU whose flags list AMX BF16 gets
// the tiles (on a Linux kernel that grants them), and that Usable's answer
// does not change between calls.
func TestUsableMatchesCPU(t *testing.T) {
	u := Usable()
	if Usable() != u {
		t.Fatal("Usable changed its answer")
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	flags := strings.Fields(string(info))
	has := func(f string) bool {
		for _, x := range flags {
			if x == f {
				return true
			}
		}
		return false
	}
	t.Logf("Usable: %v; cpuinfo amx_tile %v, amx_bf16 %v", u, has("amx_tile"), has("amx_bf16"))
	if u && !(has("amx_tile") && has("amx_bf16")) {
		t.Error("Usable on a CPU whose flags list no AMX BF16")
	}
}

// TestConfig checks the tile configuration's layout: palette 1, eight
// tiles of 16 rows by 64 bytes, the rest zero.
func TestConfig(t *testing.T) {
	for i, b := range Config {
		want := byte(0)
		switch {
		case i == 0:
			want = 1
		case i >= 16 && i < 32 && i%2 == 0:
			want = 64
		case i >= 48 && i < 56:
			want = 16
		}
		if b != want {
			t.Errorf("byte %d is %d, want %d", i, b, want)
		}
	}
}
