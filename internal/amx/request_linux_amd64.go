//go:build !purego

package amx

import (
	"syscall"

	"golang.org/x/sys/cpu"
)

// request asks Linux for the tile data state (ARCH_REQ_XCOMP_PERM for
// XTILEDATA), which a process must hold before its first tile
// instruction; kernels before 5.16 refuse.
func request() bool {
	if !cpu.X86.HasAMXTile || !cpu.X86.HasAMXBF16 {
		return false
	}
	const archReqXcompPerm, xfeatureXtiledata = 0x1023, 18
	_, _, errno := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0)
	return errno == 0
}
