package main

import (
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// TestCompareCPUs compares the CPU with itself on the shipped data: the
// curves must match exactly.
func TestCompareCPUs(t *testing.T) {
	code, out, errOut := captureRun("compare", "-devices", "cpu,cpu", "-steps", "2", "-batch", "4", "-size", "65")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "cpu loss") {
		t.Fatalf("output:\n%s", out)
	}
	for _, l := range lines[1:3] {
		if f := strings.Fields(l); len(f) != 6 || f[1] != f[2] || f[3] != "0.00e+00" {
			t.Errorf("step line %q: want equal losses", l)
		}
	}
	if !strings.Contains(lines[3], "largest parameter difference after 2 steps: 0 in net.") {
		t.Errorf("summary line %q", lines[3])
	}
}

// TestCompareNeedsGPU checks that compare names the device it cannot open.
func TestCompareNeedsGPU(t *testing.T) {
	if _, err := tensor.Open("cuda"); err == nil {
		t.Skip("this machine has a GPU")
	}
	code, _, errOut := captureRun("compare", "-steps", "1")
	if code == 0 || !strings.Contains(errOut, "compare needs the cuda device") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestCompareUsage(t *testing.T) {
	for _, args := range [][]string{
		{"compare", "-devices", "cpu"},
		{"compare", "-devices", "cpu,cpu,cpu"},
		{"compare", "-steps", "0"},
		{"compare", "-batch", "0"},
		{"compare", "-size", "10"},
	} {
		if code, _, errOut := captureRun(args...); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}
