//go:build openblas

package gemm

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"

	"github.com/tensorforge/tensorforge/internal/gemmshapes"
	"github.com/tensorforge/tensorforge/internal/openblas"
	"github.com/tensorforge/tensorforge/internal/parallel"
)

// TestOpenBLASAgrees checks the binding the comparison runs through: on
// odd shapes and every transpose, OpenBLAS and this package agree to
// float32 rounding.
func TestOpenBLASAgrees(t *testing.T) {
	for _, s := range [][3]int{{1, 1, 1}, {13, 17, 11}, {129, 67, 300}, {96, 2916, 121}} {
		for _, tr := range [][2]blas.Transpose{{blas.NoTrans, blas.NoTrans}, {blas.Trans, blas.NoTrans}, {blas.NoTrans, blas.Trans}, {blas.Trans, blas.Trans}} {
			m, n, k := s[0], s[1], s[2]
			lda, ldb := k, n
			if tr[0] == blas.Trans {
				lda = m
			}
			if tr[1] == blas.Trans {
				ldb = k
			}
			a, b, _ := benchOperands(gemmshapes.Shape{Name: fmt.Sprint(s), M: m, N: n, K: k})
			ours, theirs := make([]float32, m*n), make([]float32, m*n)
			Implementation{}.Sgemm(tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, 0, ours, n)
			openblas.Implementation{}.Sgemm(tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, 0, theirs, n)
			for i := range ours {
				if d := math.Abs(float64(ours[i] - theirs[i])); d > 1e-4*math.Sqrt(float64(k)) {
					t.Fatalf("%v %v: element %d: %v here, %v from OpenBLAS", s, tr, i, ours[i], theirs[i])
				}
			}
		}
	}
}

// BenchmarkVsOpenBLAS times this package's SGEMM and OpenBLAS's, each
// shape and thread count one after the other, through the same gonum
// interface: BenchmarkVsOpenBLAS/square-1024/threads=2/impl=openblas, so
// that benchstat -col /impl puts the two side by side. Build
// with -tags openblas (Debian: apt-get install libopenblas-dev).
func BenchmarkVsOpenBLAS(b *testing.B) {
	defer parallel.SetWorkers(0)
	impls := []struct {
		name string
		impl blas.Float32
		set  func(int)
	}{
		{"tensorforge", Implementation{}, parallel.SetWorkers},
		{"openblas", openblas.Implementation{}, openblas.SetThreads},
	}
	for _, s := range gemmshapes.All {
		for _, threads := range benchThreads {
			for _, im := range impls {
				b.Run(fmt.Sprintf("%s/threads=%d/impl=%s", s.Name, threads, im.name), func(b *testing.B) {
					im.set(threads)
					x, y, z := benchOperands(s)
					for b.Loop() {
						im.impl.Sgemm(blas.NoTrans, blas.NoTrans, s.M, s.N, s.K, 1, x, s.K, y, s.N, 0, z, s.N)
					}
					reportGflops(b, s)
				})
			}
		}
	}
}
