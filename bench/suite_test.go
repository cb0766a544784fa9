package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/tensor"
)

// TestRun runs every section but the GEMMs (whose shapes are fixed and
// large) on the CPU at AlexNet's smallest input, then prints the report
// both ways.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds AlexNet three times")
	}
	r, err := Run(context.Background(), Options{
		Devices: []tensor.Device{tensor.CPU()}, Size: 65,
		Batches: []int{1, 2}, GPUBatches: []int{4},
		Sweep: []int{1, 2}, GPUSweep: []int{4},
		Repeat: 1, Budget: time.Second, PeakTime: 20 * time.Millisecond,
		Sections: []string{"peak", "layers", "model", "profile", "sweep"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Devices[0].Peaks["cpu"]; got <= 0 || r.Devices[0].Reference != "cpu" {
		t.Errorf("cpu peak %v, reference %q", got, r.Devices[0].Reference)
	}
	// 5 convolutions and 3 pools, forward and backward, at the largest
	// batch; then forward and train at each CPU batch size.
	if len(r.Rows) != 16+4 {
		t.Errorf("%d rows, want 20", len(r.Rows))
	}
	for _, row := range r.Rows {
		c, ok := row.Cells["cpu"]
		if !ok || c.Err != "" || c.Ms <= 0 {
			t.Errorf("%s: cell %+v", row.Op, c)
		}
		if strings.HasPrefix(row.Op, "Conv") && (c.PctPeak <= 0 || c.GFLOPS <= 0) {
			t.Errorf("%s: %+v, want GFLOP/s and %% of peak", row.Op, c)
		}
	}
	if len(r.Profiles) != 1 || len(r.Profiles[0].Rows) != 21+2 {
		t.Fatalf("%d profiles, want one of 21 layers, the loss and the update", len(r.Profiles))
	}
	if len(r.Sweep) != 2 || r.Sweep[1].PeakBytes <= 0 || r.Sweep[1].ImagesPerSec <= 0 {
		t.Errorf("sweep %+v", r.Sweep)
	}

	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Conv/conv2/backward/b2", "AlexNet/train/b2", "fc1", "batch-size sweep", "uninstrumented step"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Rows) != len(r.Rows) {
		t.Errorf("JSON round trip: %v, %d rows", err, len(back.Rows))
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := Run(ctx, Options{Devices: []tensor.Device{tensor.CPU()}, Size: 65, Batches: []int{1}, Sections: []string{"layers"}})
	if err != context.Canceled || r == nil || len(r.Rows) != 0 {
		t.Errorf("Run after cancel: %v, report %v", err, r)
	}
}
