package cpucache

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestReadAgreesWithSysfs checks CPUID's sizes against Linux's own
// reading of them, where the machine exposes it.
func TestReadAgreesWithSysfs(t *testing.T) {
	if !asks {
		t.Skip("this build does not read CPUID")
	}
	s, ok := Read()
	t.Logf("CPUID: %+v (known %v)", s, ok)
	for i := 0; i < 8; i++ {
		dir := "/sys/devices/system/cpu/cpu0/cache/index" + strconv.Itoa(i) + "/"
		level, err1 := os.ReadFile(dir + "level")
		kind, err2 := os.ReadFile(dir + "type")
		size, err3 := os.ReadFile(dir + "size")
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		if strings.TrimSpace(string(kind)) == "Instruction" {
			continue
		}
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(size)), "K"))
		if err != nil {
			continue
		}
		want := map[string]int{"1": s.L1d, "2": s.L2, "3": s.L3}[strings.TrimSpace(string(level))]
		if !ok {
			t.Fatalf("sysfs knows the caches (L%s %d KiB) and CPUID does not", level, kb)
		}
		if want != kb<<10 {
			t.Errorf("L%s: CPUID says %d bytes, sysfs %d KiB", strings.TrimSpace(string(level)), want, kb)
		}
	}
}

// TestVendorAgreesWithProcfs checks CPUID's vendor against Linux's.
func TestVendorAgreesWithProcfs(t *testing.T) {
	if !asks {
		t.Skip("this build does not read CPUID")
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	for _, line := range strings.Split(string(info), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "vendor_id" {
			if got, want := Vendor(), strings.TrimSpace(v); got != want {
				t.Fatalf("Vendor() = %q, /proc/cpuinfo says %q", got, want)
			}
			return
		}
	}
	t.Skip("/proc/cpuinfo names no vendor")
}
