package classify

import (
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestRecipes checks finding a recipe by name and checking an input
// against its network before anything is built.
func TestRecipes(t *testing.T) {
	net := func(classes int) *nn.Sequential {
		return nn.NewSequential(nn.NewConv2d(2, tensor.Square(5, 1, 0)), nn.NewFlatten(), nn.NewLinear(classes))
	}
	recipes := []Recipe{{Name: "a", Input: []int{1, 8, 8}, Net: net}, {Name: "b", Input: []int{3, 9, 9}, Net: net}}
	if r, err := FindRecipe(recipes, "b"); err != nil || r.Name != "b" || r.Input[0] != 3 {
		t.Errorf("FindRecipe(b) = %+v, %v", r, err)
	}
	if _, err := FindRecipe(recipes, "c"); err == nil || !strings.Contains(err.Error(), `unknown model "c" (want one of a, b)`) {
		t.Errorf("FindRecipe(c): error %v", err)
	}
	for _, tc := range []struct {
		in   []int
		want string // "" for no error
	}{
		{[]int{1, 8, 8}, ""},
		{[]int{1, 5, 7}, ""},
		{[]int{1, 4, 8}, "does not fit input [1 4 8]"},
		{[]int{1, 0, 8}, "each size must be 1 to 4096"},
		{[]int{8, 8}, "want [channels, height, width]"},
	} {
		err := recipes[0].Check(tc.in)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Check(%v): error %v, want %q", tc.in, err, tc.want)
		}
	}
}
