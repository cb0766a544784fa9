//go:build !purego

package cpucache

// asks reports that this build reads CPUID.
const asks = true

// cpuid executes CPUID with EAX = leaf and ECX = sub.
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// vendor assembles leaf 0's vendor string from EBX, EDX and ECX.
func vendor() string {
	_, b, c, d := cpuid(0, 0)
	var s [12]byte
	for i, r := range []uint32{b, d, c} {
		for j := 0; j < 4; j++ {
			s[4*i+j] = byte(r >> (8 * j))
		}
	}
	return string(s[:])
}

// read enumerates the data and unified caches with CPUID's deterministic
// cache parameters: leaf 4 on Intel, 0x8000001D on AMD (same layout).
func read() (Sizes, bool) {
	leaf := uint32(4)
	if vendor() == "AuthenticAMD" {
		if max, _, _, _ := cpuid(0x80000000, 0); max < 0x8000001D {
			return Sizes{}, false
		}
		if _, _, ecx, _ := cpuid(0x80000001, 0); ecx&(1<<22) == 0 { // TopologyExtensions
			return Sizes{}, false
		}
		leaf = 0x8000001D
	} else if max, _, _, _ := cpuid(0, 0); max < 4 {
		return Sizes{}, false
	}
	var s Sizes
	for sub := uint32(0); sub < 16; sub++ {
		eax, ebx, ecx, _ := cpuid(leaf, sub)
		kind := eax & 31
		if kind == 0 {
			break
		}
		if kind == 2 { // instructions
			continue
		}
		p := params{
			level: int(eax>>5) & 7, sharing: int(eax>>14)&0xfff + 1,
			line: int(ebx)&0xfff + 1, partitions: int(ebx>>12)&0x3ff + 1, ways: int(ebx>>22) + 1, sets: int(ecx) + 1,
		}
		s.add(p)
	}
	return s, s.L1d > 0 && s.L2 > 0
}
