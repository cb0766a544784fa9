//go:build cuda

package cuda

import (
	"errors"

	"github.com/tensorforge/tensorforge/tensor"
)

// Gemm comes with its kernel in gemm.go; until then it records an error, so
// a program using it fails cleanly instead of computing nothing.

var errPending = errors.New("not implemented yet on the GPU")

// Gemm is not implemented yet.
func (d *Device) Gemm(g *tensor.GemmArgs) { d.do("Gemm", func() { panic(errPending) }) }
