package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCompare saves two small bench runs and puts them side by side,
// with pictures; a corrupt file and a missing argument are refused.
func TestBenchCompare(t *testing.T) {
	dir := t.TempDir()
	var runs []string
	for _, name := range []string{"a.json", "b.json"} {
		path := filepath.Join(dir, name)
		code, _, errOut := captureRun("bench", "-devices", "cpu", "-only", "peak,model,profile", "-batch", "1", "-gpu-batch", "",
			"-size", "65", "-repeat", "2", "-peak-time", "20ms", "-json", path)
		if code != 0 {
			t.Fatalf("bench: exit %d\n%s", code, errOut)
		}
		runs = append(runs, path)
	}
	code, out, errOut := captureRun(append([]string{"bench", "-compare", "-plot", dir}, runs...)...)
	if code != 0 {
		t.Fatalf("bench -compare: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"[0] a.json cpu", "[1] b.json cpu", "AlexNet/train/b1", "vs [0]", "geometric mean"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "step.svg")); err != nil || !strings.Contains(errOut, "drew "+filepath.Join(dir, "step.svg")) {
		t.Errorf("no step picture: %v, stderr %q", err, errOut)
	}
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte(`{"devices": [`), 0o644)
	if code, _, errOut := captureRun("bench", "-compare", runs[0], corrupt); code != 1 || !strings.Contains(errOut, "corrupt.json: not a bench report") {
		t.Errorf("a corrupt run: exit %d, %s", code, errOut)
	}
	if code, _, errOut := captureRun("bench", "-compare"); code != 2 || !strings.Contains(errOut, "give the JSON files") {
		t.Errorf("no runs: exit %d, %s", code, errOut)
	}
}

// TestCompareLogsAndJSON trains twice with -log, compares the logs with a
// picture, and writes a live comparison's JSON and loss curves.
func TestCompareLogsAndJSON(t *testing.T) {
	dir := t.TempDir()
	var logs []string
	for _, name := range []string{"one.json", "two.json"} {
		path := filepath.Join(dir, name)
		code, _, errOut := captureRun("train", "-limit", "64", "-size", "65", "-epochs", "2", "-batch", "32",
			"-test-limit", "32", "-save", "", "-log", path, "-log-every", "0")
		if code != 0 {
			t.Fatalf("train: exit %d\n%s", code, errOut)
		}
		logs = append(logs, path)
	}
	curves := filepath.Join(dir, "runs.svg")
	code, out, errOut := captureRun("compare", "-logs", "-plot", curves, logs[0], logs[1])
	if code != 0 {
		t.Fatalf("compare -logs: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "AlexNet 65x65 on cpu") || !strings.Contains(out, "largest difference in test accuracy at one epoch: 0.0000") {
		t.Errorf("output:\n%s", out)
	}
	if st, err := os.Stat(curves); err != nil || st.Size() == 0 {
		t.Errorf("curves: %v", err)
	}
	if code, _, errOut := captureRun("compare", "-logs", logs[0]); code != 2 || !strings.Contains(errOut, "give two training logs") {
		t.Errorf("one log: exit %d, %s", code, errOut)
	}

	js, losses := filepath.Join(dir, "cmp.json"), filepath.Join(dir, "losses.png")
	code, _, errOut = captureRun("compare", "-devices", "cpu,cpu", "-steps", "2", "-batch", "4", "-size", "65", "-json", js, "-plot", losses)
	if code != 0 {
		t.Fatalf("compare -json: exit %d\n%s", code, errOut)
	}
	b, err := os.ReadFile(js)
	if err != nil || !strings.Contains(string(b), `"max_param_diff": 0`) || !strings.Contains(string(b), `"batch": 4`) {
		t.Errorf("JSON %s: %v", b, err)
	}
	if st, err := os.Stat(losses); err != nil || st.Size() == 0 {
		t.Errorf("loss curves: %v", err)
	}
}
