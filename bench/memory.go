package bench

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/internal/procfs"
	"github.com/tensorforge/tensorforge/tensor"
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

// ModelMemory returns the memory that a model of c built on dev (for
// training or, with c.Inference, for inference only) holds once it has run
// a batch of n: a training step, or a forward pass. It counts what is live
// after the run, the model's own memory, not the host's transient copies:
// on the CPU the Go heap in use after a collection, on a GPU its memory
// pool's bytes in use, each less what they held before the model.
func ModelMemory(dev tensor.Device, c alexnet.Config, n int) (int64, error) {
	live := func() int64 {
		if p, ok := dev.(memoryPool); ok {
			return p.MemoryInUse()
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	base := live()
	m, err := alexnet.New(dev, c)
	if err != nil {
		return 0, err
	}
	defer m.Free()
	in := NewModel(c.Size, c.Precision)
	in.Config.InChannels, in.Config.Classes = c.InChannels, c.Classes
	x, labels := in.Batch(dev, n, 1)
	if c.Inference {
		m.Eval(x, nil)
	} else {
		m.TrainStep(x, labels)
	}
	if err := dev.Sync(); err != nil {
		return 0, err
	}
	x.Free()
	labels.Free()
	used := live() - base
	runtime.KeepAlive(m)
	return used, nil
}
