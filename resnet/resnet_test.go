package resnet

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
)

// TestShapes checks the network against the book's printout of each
// stage's output at 224x224 (ch. 8.6) and at the recipe's 96x96, and its
// parameter count, which the book's PyTorch model gives (11,178,378).
func TestShapes(t *testing.T) {
	// The outputs of the stem's pool, of each stage's last ReLU, and of
	// the head's layers.
	stages := []int{3, 7, 11, 15, 19, 20, 21, 22}
	for _, tc := range []struct {
		size int
		want [][]int
	}{
		{224, [][]int{{64, 56, 56}, {64, 56, 56}, {128, 28, 28}, {256, 14, 14}, {512, 7, 7}, {512, 1, 1}, {512}, {10}}},
		{96, [][]int{{64, 24, 24}, {64, 24, 24}, {128, 12, 12}, {256, 6, 6}, {512, 3, 3}, {512, 1, 1}, {512}, {10}}},
	} {
		net := ResNet18(10)
		net.Setup([]int{1, tc.size, tc.size})
		rows := net.Summary()
		if len(rows) != 23 {
			t.Fatalf("%d layers, want 23", len(rows))
		}
		for i, l := range stages {
			if !slices.Equal(rows[l].Out, tc.want[i]) {
				t.Errorf("%dx%d: layer %d (%s): output %v, want %v", tc.size, tc.size, l, rows[l].Layer, rows[l].Out, tc.want[i])
			}
		}
		if params, _, _ := nn.Totals(rows); params != 11178378 {
			t.Errorf("%d parameters, want 11178378", params)
		}
	}
}
