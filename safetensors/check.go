package safetensors

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Spec is a tensor a file is expected to hold.
type Spec struct {
	Name  string
	DType DType
	Shape []int
}

// Check compares f's tensors with want and returns nil if they match, or
// an error listing every difference, one a line: a missing tensor, an
// unexpected one, a wrong shape, a wrong dtype.
func (f *File) Check(want []Spec) error {
	var errs []error
	file := cmp.Or(f.Name, "safetensors file")
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{file}, args...)...))
	}
	expected := map[string]bool{}
	for _, s := range want {
		expected[s.Name] = true
		t, ok := f.Tensors[s.Name]
		switch {
		case !ok:
			fail("missing tensor %q (%s %v)", s.Name, s.DType, s.Shape)
		case !slices.Equal(t.Shape, s.Shape):
			fail("tensor %q has shape %v, want %v", s.Name, t.Shape, s.Shape)
		}
		if ok && t.DType != s.DType {
			fail("tensor %q has dtype %s, want %s", s.Name, t.DType, s.DType)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Tensors)) {
		if !expected[name] {
			t := f.Tensors[name]
			fail("unexpected tensor %q (%s %v)", name, t.DType, t.Shape)
		}
	}
	return errors.Join(errs...)
}
