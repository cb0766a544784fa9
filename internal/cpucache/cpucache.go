// Package cpucache reads the sizes of this CPU's data caches from CPUID,
// so that blocking can follow the core it runs on, and its vendor, which
// kernels' choices follow. Virtual machines often hide /sys's cache files
// but pass CPUID through.
package cpucache

import "sync"

// Sizes are the data (or unified) caches a core sees, in bytes: L1d and L2
// as one core has them, L3 as the whole cache and the number of logical
// CPUs CPUID says share it (which a virtual machine may report as the
// host's).
type Sizes struct {
	L1d, L2, L3 int
	L3Sharing   int
}

// params are one cache's CPUID fields, each already plus one.
type params struct {
	level, sharing, line, partitions, ways, sets int
}

// add records cache p.
func (s *Sizes) add(p params) {
	size := p.ways * p.partitions * p.line * p.sets
	switch p.level {
	case 1:
		s.L1d = size
	case 2:
		s.L2 = size
	case 3:
		s.L3, s.L3Sharing = size, p.sharing
	}
}

var (
	once  sync.Once
	sizes Sizes
	known bool
)

// Read returns this CPU's cache sizes, and false where CPUID does not say
// (another architecture, the purego build, an old CPU). It is safe for
// concurrent use: the first call reads CPUID, once.
func Read() (Sizes, bool) {
	once.Do(func() { sizes, known = read() })
	return sizes, known
}

// Vendor returns CPUID's vendor string, such as "GenuineIntel" or
// "AuthenticAMD", or "" where this build cannot ask. It is safe for
// concurrent use.
func Vendor() string { return vendor() }
