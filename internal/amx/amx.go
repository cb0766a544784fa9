// Package amx gets this process the use of Intel's Advanced Matrix
// Extensions (AMX) tile registers, which Linux grants only on request,
// and holds the tile configuration the project's AMX code loads.
package amx

import "sync"

// Config is what LDTILECFG loads: palette 1 and each of the eight tiles
// 16 rows of 64 bytes (16 float32 lanes, or 16 bfloat16 pairs). Code that
// runs tile instructions loads it first and releases the tiles
// (TILERELEASE) before it returns: a goroutine may move to another thread
// between calls, and tile state belongs to a thread.
var Config = func() (cfg [64]byte) {
	cfg[0] = 1
	for t := range 8 {
		cfg[16+2*t] = 64 // colsb, little-endian uint16
		cfg[48+t] = 16   // rows
	}
	return cfg
}()

// Usable reports whether this process may run AMX BF16 instructions: the
// CPU has them and the kernel granted the tile state. The first call asks;
// it is safe for concurrent use.
func Usable() bool {
	once.Do(func() { usable = request() })
	return usable
}

var (
	once   sync.Once
	usable bool
)
