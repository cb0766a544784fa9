package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// captureRun runs the command line args and returns the exit status and what
// went to stdout and stderr.
func captureRun(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &env{stdout: &out, stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestBenchSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	code, out, errOut := captureRun("bench", "-devices", "cpu", "-only", "peak,model", "-batch", "1", "-gpu-batch", "",
		"-size", "65", "-repeat", "1", "-peak-time", "20ms", "-json", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"peak cpu", "AlexNet/forward/b1", "AlexNet/train/b1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Rows []struct{ Op string }
	}
	if err := json.Unmarshal(b, &report); err != nil || len(report.Rows) != 2 {
		t.Errorf("JSON report: %v, %d rows", err, len(report.Rows))
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "-only", "gemm,nonsense"},
		{"bench", "-batch", "0"},
		{"bench", "-batch", "1,x"},
		{"bench", "-batch", ""},
		{"bench", "-devices", "tpu"},
		{"bench", "-size", "64"},
		{"bench", "-json", filepath.Join(t.TempDir(), "missing", "r.json")},
		{"bench", "extra"},
	} {
		if code, _, errOut := captureRun(args...); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}
