//go:build purego || !linux || !amd64

package amx

// request has no way to ask for tiles here: AMX is not used.
func request() bool { return false }
