package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// HostPeakBytes returns the most resident memory the process has held: the
// kernel's high-water mark VmHWM where /proc has it (Linux), else the
// memory the Go runtime has mapped, which bounds it from above.
func HostPeakBytes() uint64 {
	if n, err := vmHWM(); err == nil {
		return n
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

func vmHWM() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
