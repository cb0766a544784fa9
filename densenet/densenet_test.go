package densenet

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
)

// TestShapes checks the network against the book's printout at 96x96
// (ch. 8.7: 248 channels before the head) and its parameter count, which
// PyTorch's model of the same layers gives.
func TestShapes(t *testing.T) {
	net := DenseNet(10)
	if out := net.Setup(Input); !slices.Equal(out, []int{10}) {
		t.Fatalf("output %v, want [10]", out)
	}
	rows := net.Summary()
	if len(rows) != 37 {
		t.Fatalf("%d layers, want 37", len(rows))
	}
	// The stem, each dense block's last convolution block and each
	// transition block's pool, then the head.
	want := map[int][]int{
		3: {64, 24, 24}, 7: {192, 24, 24}, 11: {96, 12, 12}, 15: {224, 12, 12}, 19: {112, 6, 6},
		23: {240, 6, 6}, 27: {120, 3, 3}, 31: {248, 3, 3}, 34: {248, 1, 1}, 36: {10},
	}
	for i, shape := range want {
		if !slices.Equal(rows[i].Out, shape) {
			t.Errorf("layer %d (%s): output %v, want %v", i, rows[i].Layer, rows[i].Out, shape)
		}
	}
	if params, _, _ := nn.Totals(rows); params != 758226 {
		t.Errorf("%d parameters, want 758226", params)
	}
}
