//go:build purego || !linux || !amd64

package amx

import "sync"

var (
	once   sync.Once
	usable bool
)

// request has no way to ask for tiles here: AMX is not used.
func request() bool { return false }
