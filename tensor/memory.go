package tensor

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"

	"github.com/tensorforge/tensorforge/internal/procfs"
)

// MemoryAvailable returns how many more bytes dev can allocate, and false
// when the device cannot tell. Devices report it through a method of the
// same name; callers use it to refuse, with a message naming the bytes, a
// model or a batch that cannot fit, before allocating it.
func MemoryAvailable(dev Device) (int64, bool) {
	if m, ok := dev.(interface{ MemoryAvailable() (int64, bool) }); ok {
		return m.MemoryAvailable()
	}
	return 0, false
}

// HostFloat32s returns n float32s of host memory that dev's Read fills
// fastest (page-locked on a GPU, whose downloads then run at the bus's
// full speed), and the function that frees them: a buffer a program moves
// a tensor through every step. A device without such memory gives an
// ordinary slice. Devices offer it through a method of the same name.
func HostFloat32s(dev Device, n int) (buf []float32, free func(), err error) {
	if h, ok := dev.(interface {
		HostFloat32s(n int) ([]float32, func(), error)
	}); ok {
		return h.HostFloat32s(n)
	}
	return make([]float32, n), func() {}, nil
}

// MemoryAvailable returns the least of what the kernel says a new
// allocation can have without swapping (MemAvailable), what the process's
// cgroup allows beyond its use, and what the Go runtime's memory limit
// leaves, where each is known.
func (d *cpuDevice) MemoryAvailable() (int64, bool) {
	best, ok := int64(math.MaxInt64), false
	take := func(v int64) {
		best, ok = min(best, max(v, 0)), true
	}
	if v, found := procfs.Bytes("/proc/meminfo", "MemAvailable"); found {
		take(v)
	}
	if limit, found := readInt("/sys/fs/cgroup/memory.max"); found {
		if used, found := readInt("/sys/fs/cgroup/memory.current"); found {
			take(limit - used)
		}
	}
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		metrics.Read(s)
		take(limit - int64(s[0].Value.Uint64()))
	}
	return best, ok
}

// readInt reads a file holding one decimal integer ("max", a cgroup's
// word for no limit, reads as not found).
func readInt(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil
}
