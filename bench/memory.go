package bench

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/tensorforge/tensorforge/internal/procfs"
)

// HostPeakBytes returns the most resident memory the process has held: the
// kernel's high-water mark VmHWM where /proc has it (Linux), else the
// memory the Go runtime has mapped, which bounds it from above.
func HostPeakBytes() uint64 {
	if n, ok := procfs.Bytes("/proc/self/status", "VmHWM"); ok {
		return uint64(n)
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// ResetHostPeak returns freed memory to the operating system and, on
// Linux, restarts the high-water mark from the current resident size, so
// the next HostPeakBytes measures what runs in between. Without /proc it
// only frees.
func ResetHostPeak() {
	runtime.GC()
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later); an error
	// leaves the mark where it was, which only overstates later peaks.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
