package classify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tensorforge/tensorforge/nn"
)

// Recipe is a network with the settings it is trained with, such as a
// book's: what a trainer needs to build and train it by name. A Recipe
// is a value and its Net makes a new network on every call, so recipes
// may be shared by goroutines.
type Recipe struct {
	// Name is what a command line calls it, such as "lenet".
	Name string
	// Source says where the network and its settings come from.
	Source string
	// Input is the shape of one sample, [C, H, W]: images are resized to
	// it (see Config.Input).
	Input []int
	// Net returns the network, not yet set up, for the given number of
	// classes.
	Net func(classes int) *nn.Sequential
	// LR, Batch and Epochs are plain SGD's learning rate, the images per
	// step and the passes over the data.
	LR            float64
	Batch, Epochs int
	// Namings are the book's own module trees' names for the network's
	// tensors (see Config.Namings).
	Namings []Naming
}

// The names of the namings of the book's own module trees that recipes of
// Dive into Deep Learning give (Recipe.Namings): NamingD2L is the current
// release's, whose models keep their layers in a field called net;
// NamingD2L017 is release 0.17's, whose recipes the book's nets here
// follow and whose nets are plain nn.Sequentials.
const (
	NamingD2L    = "d2l"
	NamingD2L017 = "d2l-0.17"
)

// FindRecipe returns the recipe called name, or an error listing the
// names there are.
func FindRecipe(recipes []Recipe, name string) (Recipe, error) {
	i := slices.IndexFunc(recipes, func(r Recipe) bool { return r.Name == name })
	if i < 0 {
		names := make([]string, len(recipes))
		for j, r := range recipes {
			names[j] = r.Name
		}
		return Recipe{}, fmt.Errorf("unknown model %q (want one of %s)", name, strings.Join(names, ", "))
	}
	return recipes[i], nil
}

// Check reports whether the recipe's network takes samples of shape in
// (see Config.Input), without building it: an error names what does not
// fit, such as a window larger than its input.
func (r Recipe) Check(in []int) error { return checkInput(r.Net(1), in) }
