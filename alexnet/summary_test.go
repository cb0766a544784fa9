package alexnet

import (
	"fmt"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
)

// TestSummary checks the book's layer_summary for a 1x224x224 input, the
// parameter count PyTorch reports and the FLOPs the benchmarks divide by.
func TestSummary(t *testing.T) {
	rows, err := Summary(Config{InChannels: 1, Size: 224, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"[96 54 54]", "[96 54 54]", "[96 26 26]",
		"[256 26 26]", "[256 26 26]", "[256 12 12]",
		"[384 12 12]", "[384 12 12]",
		"[384 12 12]", "[384 12 12]",
		"[256 12 12]", "[256 12 12]", "[256 5 5]",
		"[6400]",
		"[4096]", "[4096]", "[4096]",
		"[4096]", "[4096]", "[4096]",
		"[10]",
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if got := fmt.Sprint(r.Out); got != want[i] || r.Index != i {
			t.Errorf("row %d (%s): #%d %s, want %s", i, r.Layer, r.Index, got, want[i])
		}
	}
	params, fwd, bwd := nn.Totals(rows)
	if params != 46_764_746 {
		t.Errorf("%d parameters, want 46,764,746", params)
	}
	// conv 67.7 + 830.7 + 254.8 + 382.2 + 254.8 M, linear 52.4 + 33.6 + 0.08 M.
	if fwd != 1_876_292_352 {
		t.Errorf("forward %d FLOPs per image, want 1,876,292,352", fwd)
	}
	if fwd+bwd != 3*1_876_292_352 {
		t.Errorf("training step %d FLOPs per image, want three times the forward", fwd+bwd)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{InChannels: 1, Size: MinSize - 1, Classes: 10},
		{InChannels: 0, Size: 224, Classes: 10},
		{InChannels: 1, Size: 224, Classes: 0},
		{InChannels: 1, Size: 224, Classes: 10, Hidden: -1},
	} {
		if _, err := Summary(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if _, err := Summary(Config{InChannels: 3, Size: MinSize, Classes: 2}); err != nil {
		t.Errorf("size %d: %v", MinSize, err)
	}
}
