package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// saved writes r as JSON into dir under name and returns the path.
func saved(t *testing.T, dir, name string, r *Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run returns a report of one device with a row per op, each op's median
// time and spread given as [min, ms, max].
func run(device, precision string, ops map[string][3]float64) *Report {
	r := &Report{Format: ReportFormat, Date: "2026-12-02T18:00:00Z", GoVersion: "go1.26.8", Size: 224,
		Devices: []DeviceInfo{{Name: device, Hardware: device + " hardware", Precision: precision}}}
	for _, op := range []string{"Gemm/square-1024", "AlexNet/train/b128", "AlexNet/forward/b1"} {
		if t, ok := ops[op]; ok {
			r.Rows = append(r.Rows, Row{Op: op, Shape: "s", Cells: map[string]Cell{device: {MinMs: t[0], Ms: t[1], MaxMs: t[2], Runs: 3}}})
		}
	}
	return r
}

func TestCompareRuns(t *testing.T) {
	dir := t.TempDir()
	cpu := saved(t, dir, "cpu.json", run("cpu", "fp32", map[string][3]float64{
		"Gemm/square-1024": {7, 7.5, 8}, "AlexNet/train/b128": {4000, 4100, 4200}, "AlexNet/forward/b1": {17, 18, 19},
	}))
	gpu := saved(t, dir, "gpu.json", run("cuda", "tf32", map[string][3]float64{
		"Gemm/square-1024": {0.04, 0.05, 0.06}, "AlexNet/train/b128": {14, 14.2, 14.5},
	}))
	again := saved(t, dir, "cpu-again.json", run("cpu", "fp32", map[string][3]float64{
		"Gemm/square-1024": {7.2, 7.6, 7.9}, "AlexNet/train/b128": {3500, 3550, 3600},
	}))
	var runs []*Report
	for _, p := range []string{cpu, gpu, again} {
		r, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	c, err := CompareRuns([]string{cpu, gpu, again}, runs)
	if err != nil {
		t.Fatal(err)
	}
	// The forward pass at batch 1 is only in the first run: no row.
	if len(c.Series) != 3 || len(c.Rows) != 2 {
		t.Fatalf("%d series, %d rows; want 3 and 2", len(c.Series), len(c.Rows))
	}
	gemm, train := c.Rows[0], c.Rows[1]
	if gemm.Ratio[1] != 7.5/0.05 || gemm.Noise[1] || !gemm.Noise[2] {
		t.Errorf("gemm: ratios %v, noise %v; want 150x and a difference within the spread against the second CPU run", gemm.Ratio, gemm.Noise)
	}
	if train.Noise[2] || train.Ratio[2] != 4100.0/3550 {
		t.Errorf("train: ratios %v, noise %v", train.Ratio, train.Noise)
	}
	c.Rows[0].Cells[1] = nil // as if the GPU had failed the GEMM
	c.Rows[0].compare()
	if c.Rows[0].Ratio[1] != 0 || c.Rows[0].Ratio[2] == 0 {
		t.Errorf("ratios with a missing cell: %v", c.Rows[0].Ratio)
	}
	var out bytes.Buffer
	if err := c.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"[1] gpu.json cuda", "tf32", "the series differ in precision", "~0.99x", "1.15x", "geometric mean"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

// TestCompareRunsNothingShared checks that runs without a common row are
// an error naming them, not an empty table.
func TestCompareRunsNothingShared(t *testing.T) {
	a := run("cpu", "fp32", map[string][3]float64{"Gemm/square-1024": {1, 2, 3}})
	b := run("cuda", "tf32", map[string][3]float64{"AlexNet/train/b128": {1, 2, 3}})
	_, err := CompareRuns([]string{"a.json", "b.json"}, []*Report{a, b})
	if err == nil || !strings.Contains(err.Error(), "share no operation") || !strings.Contains(err.Error(), "b.json cuda") {
		t.Errorf("error %v", err)
	}
}

// TestLoadRefuses checks that files that are not reports are refused with
// the file named and the problem said.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	good, _ := json.Marshal(run("cpu", "fp32", map[string][3]float64{"Gemm/square-1024": {1, 2, 3}}))
	for _, c := range []struct {
		name, content, want string
	}{
		{"truncated.json", string(good[:len(good)/2]), "not a bench report: unexpected EOF"},
		{"checkpoint.json", `{"epoch": 3}`, "lists no devices"},
		{"array.json", `[1, 2]`, "not a bench report"},
		{"twice.json", `{"devices":[{"name":"cpu"},{"name":"cpu"}]}`, `device "cpu" is unnamed or listed twice`},
		{"stranger.json", `{"devices":[{"name":"cpu"}],"rows":[{"op":"x","devices":{"tpu":{"ms":1}}}]}`, `device "tpu"`},
		{"negative.json", `{"devices":[{"name":"cpu"}],"rows":[{"op":"x","devices":{"cpu":{"ms":-1}}}]}`, "negative time"},
		{"future.json", `{"format":99,"devices":[{"name":"cpu"}]}`, "format 99 is newer"},
		{"trailing.json", string(good) + "{}", "more after the JSON object"},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming the file and %q", c.name, err, c.want)
		}
	}
}

// TestLoadCommittedRun loads the GPU run committed under results/, saved
// before reports recorded their spread and precision.
func TestLoadCommittedRun(t *testing.T) {
	r, err := Load(filepath.Join("..", "results", "gpu", "2026-11-26-h100", "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != 0 || len(r.Rows) == 0 || r.Devices[0].Name != "cuda" || r.Devices[0].Precision != "tf32" {
		t.Errorf("format %d, %d rows, devices %+v", r.Format, len(r.Rows), r.Devices)
	}
}

func TestShortNames(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"a/cpu.json", "b/gpu.json"}, []string{"cpu.json", "gpu.json"}},
		{[]string{"results/cpu/x/bench.json", "results/gpu/y/bench.json"}, []string{"x/bench.json", "y/bench.json"}},
		{[]string{"run.json", "run.json"}, []string{"run.json", "run.json"}},
	} {
		if got := shortNames(c.in); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("shortNames(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
