package vgg

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
)

// TestShapes checks the network against the book's printout of each
// block's output at 224x224 (ch. 8.2, with its channels divided by
// Ratio) and its parameter count, which PyTorch's model of the same
// layers gives (43,093,322: the linear layers keep their 4096).
func TestShapes(t *testing.T) {
	net := Small(10)
	if out := net.Setup(Input); !slices.Equal(out, []int{10}) {
		t.Fatalf("output %v, want [10]", out)
	}
	rows := net.Summary()
	if len(rows) != 29 {
		t.Fatalf("%d layers, want 29", len(rows))
	}
	// Each block's pool, then the flattened map and the linear layers.
	want := map[int][]int{
		2: {16, 112, 112}, 5: {32, 56, 56}, 10: {64, 28, 28}, 15: {128, 14, 14}, 20: {128, 7, 7},
		21: {6272}, 22: {4096}, 25: {4096}, 28: {10},
	}
	for i, shape := range want {
		if !slices.Equal(rows[i].Out, shape) {
			t.Errorf("layer %d (%s): output %v, want %v", i, rows[i].Layer, rows[i].Out, shape)
		}
	}
	if params, _, _ := nn.Totals(rows); params != 43093322 {
		t.Errorf("%d parameters, want 43093322", params)
	}
}
