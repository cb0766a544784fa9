//go:build cuda

package cuda

import (
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/kernels"
)

// TestKernelTables checks, without a GPU, that every kernel the op tables
// name is one the embedded PTX defines.
func TestKernelTables(t *testing.T) {
	mods, err := kernels.Modules()
	if err != nil {
		t.Fatal(err)
	}
	var defined []string
	for _, m := range mods {
		defined = append(defined, m.Kernels...)
	}
	for _, table := range [][]string{unaryKernels[:], unaryGradKernels[:], binaryKernels[:], reduceKernels[:]} {
		for _, name := range table {
			if !slices.Contains(defined, name) {
				t.Errorf("kernel %q is in an op table but no module defines it", name)
			}
		}
	}
}
