//go:build purego || !amd64

package cpucache

// asks reports that this build cannot read CPUID.
const asks = false

// read has no way to ask this CPU: the caller keeps its defaults.
func read() (Sizes, bool) { return Sizes{}, false }

// vendor is unknown without CPUID.
func vendor() string { return "" }
