package nin

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
)

// TestShapes checks the network against the book's printout of each
// block's output at 224x224 (ch. 8.3) and its parameter count, which
// PyTorch's model of the same layers gives.
func TestShapes(t *testing.T) {
	net := NiN(10)
	if out := net.Setup(Input); !slices.Equal(out, []int{10}) {
		t.Fatalf("output %v, want [10]", out)
	}
	rows := net.Summary()
	// The output of each block's last ReLU and of each layer after it.
	want := map[int][]int{
		5: {96, 54, 54}, 6: {96, 26, 26},
		12: {256, 26, 26}, 13: {256, 12, 12},
		19: {384, 12, 12}, 20: {384, 5, 5}, 21: {384, 5, 5},
		27: {10, 5, 5}, 28: {10, 1, 1}, 29: {10},
	}
	if len(rows) != 30 {
		t.Fatalf("%d layers, want 30", len(rows))
	}
	for i, shape := range want {
		if !slices.Equal(rows[i].Out, shape) {
			t.Errorf("layer %d (%s): output %v, want %v", i, rows[i].Layer, rows[i].Out, shape)
		}
	}
	// 11x11x96 + 2 (96x96) + 5x5x96x256 + 2 (256x256) + 3x3x256x384 +
	// 2 (384x384) + 3x3x384x10 + 2 (10x10) weights, and a bias per output
	// channel of each of the 12 convolutions.
	if params, _, _ := nn.Totals(rows); params != 1992166 {
		t.Errorf("%d parameters, want 1992166", params)
	}
}

// TestSmallerInputs checks that the network adapts to other sizes: the
// global pool averages whatever map the last block leaves.
func TestSmallerInputs(t *testing.T) {
	for _, size := range []int{67, 96, 160} {
		net := NiN(3)
		if out := net.Setup([]int{1, size, size}); !slices.Equal(out, []int{3}) {
			t.Errorf("%dx%d: output %v, want [3]", size, size, out)
		}
	}
}
