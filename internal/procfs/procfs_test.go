package procfs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status")
	content := "Name:\tx\nVmHWM:\t  1234 kB\nThreads:\t7\nBad:\t12 MB\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key string
		n   int64
		ok  bool
	}{{"VmHWM", 1234 << 10, true}, {"Threads", 0, false}, {"Bad", 0, false}, {"Vm", 0, false}, {"Missing", 0, false}} {
		if n, ok := Bytes(path, c.key); n != c.n || ok != c.ok {
			t.Errorf("%s: %d, %v; want %d, %v", c.key, n, ok, c.n, c.ok)
		}
	}
	if _, ok := Bytes(filepath.Join(t.TempDir(), "none"), "VmHWM"); ok {
		t.Error("a missing file gave a value")
	}
}

func TestCPU(t *testing.T) {
	if _, err := os.Stat("/proc/cpuinfo"); err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	model, family, ok := CPU()
	if !ok || model == "" || family < 0 {
		t.Errorf("CPU() = %q, %d, %v", model, family, ok)
	}
}
