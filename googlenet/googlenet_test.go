package googlenet

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
)

// TestShapes checks the network against the book's printout of each
// stage's output at 96x96 (ch. 8.4) and its parameter count, which
// PyTorch's model of the same layers gives.
func TestShapes(t *testing.T) {
	net := GoogLeNet(10)
	if out := net.Setup(Input); !slices.Equal(out, []int{10}) {
		t.Fatalf("output %v, want [10]", out)
	}
	rows := net.Summary()
	if len(rows) != 22 {
		t.Fatalf("%d layers, want 22", len(rows))
	}
	// Each stage's last layer, then the linear layer.
	want := map[int][]int{2: {64, 24, 24}, 7: {192, 12, 12}, 8: {256, 12, 12}, 10: {480, 6, 6}, 16: {832, 3, 3}, 20: {1024}, 21: {10}}
	for i, shape := range want {
		if !slices.Equal(rows[i].Out, shape) {
			t.Errorf("layer %d (%s): output %v, want %v", i, rows[i].Layer, rows[i].Out, shape)
		}
	}
	if params, _, _ := nn.Totals(rows); params != 5977530 {
		t.Errorf("%d parameters, want 5977530", params)
	}
}
