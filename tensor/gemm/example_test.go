package gemm_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/tensorforge/tensorforge/tensor/gemm"
)

// Installing Implementation makes every float32 matrix product that goes
// through gonum's blas32 run on this package's SGEMM.
func ExampleImplementation() {
	blas32.Use(gemm.Implementation{})

	a := blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: []float32{
		1, 2, 3,
		4, 5, 6,
	}}
	b := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: []float32{
		7, 8,
		9, 10,
		11, 12,
	}}
	c := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
	fmt.Println(c.Data)
	// Output: [58 64 139 154]
}

// One A times a batch of Bs, as a convolution multiplies its weights with
// each image's columns: here a 2x2 A with two 2x1 Bs stored one after the
// other, giving two 2x1 Cs.
func ExampleSgemmBatch() {
	a := []float32{
		1, 2,
		3, 4,
	}
	b := []float32{
		1, 1, // B_0
		10, 0, // B_1
	}
	c := make([]float32, 4)
	gemm.SgemmBatch(false, false, 2, 1, 2, 1, a, 2, b, 1, 2, 0, c, 1, 2, 2)
	fmt.Println(c[:2], c[2:])
	// Output: [3 7] [10 30]
}
