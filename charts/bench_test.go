package charts

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/bench"
	"github.com/tensorforge/tensorforge/classify"
)

// TestBench draws a CPU run and a GPU run's pictures and checks which
// files come out: the step breakdown and the sweep only where a run has
// them, the GEMM shares from both.
func TestBench(t *testing.T) {
	cpu := &bench.Report{
		Devices: []bench.DeviceInfo{{Name: "cpu", Precision: "fp32"}},
		Rows: []bench.Row{
			{Op: "Gemm/square-1024", Cells: map[string]bench.Cell{"cpu": {Ms: 7, PctPeak: 80}}},
			{Op: "Gemm/conv2-b128", Cells: map[string]bench.Cell{"cpu": {Ms: 400, PctPeak: 70}}},
		},
		Profiles: []bench.StepProfile{{Device: "cpu", Batch: 128, StepMs: 4000, Rows: []bench.LayerTime{
			{Name: "conv1", ForwardMs: 300, BackwardMs: 400}, {Name: "fc1", ForwardMs: 50, BackwardMs: 80},
		}}},
	}
	gpu := &bench.Report{
		Devices: []bench.DeviceInfo{{Name: "cuda", Precision: "tf32"}},
		Rows:    []bench.Row{{Op: "Gemm/square-1024", Cells: map[string]bench.Cell{"cuda": {Ms: 0.05, PctPeak: 14}}}},
		Sweep:   []bench.SweepPoint{{Device: "cuda", Batch: 16, ImagesPerSec: 3000, PeakBytes: 1 << 30}, {Device: "cuda", Batch: 128, ImagesPerSec: 9000, PeakBytes: 2 << 30}},
	}
	dir := t.TempDir()
	series := append(bench.SeriesOf("cpu.json", cpu), bench.SeriesOf("gpu.json", gpu)...)
	written, err := Bench(dir, series)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range written {
		names = append(names, filepath.Base(p))
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("<?xml")) {
			t.Errorf("%s: %v, starts %q", p, err, b[:min(len(b), 10)])
		}
	}
	if want := []string{"step.svg", "sweep-throughput.svg", "sweep-memory.svg", "gemm.svg"}; !slices.Equal(names, want) {
		t.Errorf("wrote %v, want %v", names, want)
	}
	written, err = Bench(t.TempDir(), bench.SeriesOf("", &bench.Report{Devices: []bench.DeviceInfo{{Name: "cpu"}}}))
	if err != nil || len(written) != 0 {
		t.Errorf("a run without data drew %v (%v)", written, err)
	}
}

func TestOverlay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.png")
	err := Overlay(path, []Run{
		{Label: "cpu", History: history(0.9)},
		{Label: "cuda", History: history(0.8)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("%v", err)
	}
}

// history returns three epochs whose loss starts at loss.
func history(loss float64) []classify.EpochStats {
	var h []classify.EpochStats
	for e := 1; e <= 3; e++ {
		h = append(h, classify.EpochStats{Epoch: e, TrainLoss: loss / float64(e), TrainAcc: 0.5 + 0.1*float64(e), TestAcc: 0.45 + 0.1*float64(e)})
	}
	return h
}
