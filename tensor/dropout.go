package tensor

// DropoutKeep reports whether element i survives a dropout with drop
// probability p under the given seed. It is a counter-based generator (a
// SplitMix64 finaliser of seed and i): every device computes the same mask
// for the same seed without sharing any state, in any order, so CPU and GPU
// runs of one model drop the same units.
func DropoutKeep(seed, i uint64, p float32) bool {
	return DropoutUniform(seed, i) >= p
}

// DropoutShift returns the seed under which element i gets the mask that
// element offset+i gets under seed: a batch that is rows [r, r+n) of a
// larger one (one process's share of a data-parallel batch) drops what the
// whole batch would drop there, with offset the index of its first
// element in the whole.
func DropoutShift(seed, offset uint64) uint64 {
	return seed + offset*0x9E3779B97F4A7C15
}

// DropoutUniform returns the uniform number in [0, 1), with 24 random bits,
// that DropoutKeep compares with p.
func DropoutUniform(seed, i uint64) float32 {
	return float32(Mix64(seed+(i+1)*0x9E3779B97F4A7C15)>>40) * (1.0 / (1 << 24))
}

// Mix64 is the SplitMix64 finaliser: a bijection of 64-bit values whose
// outputs for nearby inputs look unrelated. The dropout masks and the
// seeds derived from a seed and a counter all go through it.
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
