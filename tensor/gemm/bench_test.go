package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/tensorforge/tensorforge/internal/gemmshapes"
)

// pureGoShapes are the shapes the pure-Go kernel is timed on.
var pureGoShapes = map[string]bool{"square-256": true, "square-1024": true, "conv2-b1": true}

// benchThreads are the worker counts each shape runs with.
var benchThreads = []int{1, 2}

// benchOperands returns random operands for s, made on first use and kept
// for the next thread count: the large shapes take a while to fill.
func benchOperands(s gemmshapes.Shape) (a, b, c []float32) {
	if s == lastShape {
		return lastOperands[0], lastOperands[1], lastOperands[2]
	}
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32() - 0.5
		}
		return x
	}
	a, b, c = fill(s.M*s.K), fill(s.K*s.N), make([]float32, s.M*s.N)
	lastShape, lastOperands = s, [3][]float32{a, b, c}
	return a, b, c
}

var (
	lastShape    gemmshapes.Shape
	lastOperands [3][]float32
)

// reportGflops turns b's time per operation into GFLOP/s for s.
func reportGflops(b *testing.B, s gemmshapes.Shape) {
	b.ReportMetric(s.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm times the assembly kernels (the fastest this CPU has) on
// every shape of gemmshapes.All.
func BenchmarkSgemm(b *testing.B) { benchSgemm(b, nil) }

// BenchmarkSgemmBF16 times SgemmBF16 beside Sgemm, shape by shape and
// thread count by thread count: .../threads=2/precision=bf16, so that
// benchstat -col /precision puts the two side by side. GFLOP/s counts the
// same multiply-adds for both.
func BenchmarkSgemmBF16(b *testing.B) {
	for _, s := range gemmshapes.All {
		for _, w := range benchThreads {
			for _, p := range []struct {
				name  string
				sgemm func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
			}{{"fp32", Workers(w).Sgemm}, {"bf16", Workers(w).SgemmBF16}} {
				b.Run(fmt.Sprintf("%s/threads=%d/precision=%s", s.Name, w, p.name), func(b *testing.B) {
					x, y, z := benchOperands(s)
					for b.Loop() {
						p.sgemm(false, false, s.M, s.N, s.K, 1, x, s.K, y, s.N, 0, z, s.N)
					}
					reportGflops(b, s)
				})
			}
		}
	}
}

// BenchmarkSgemmPureGo times the portable kernel, for its ratio to gonum.
func BenchmarkSgemmPureGo(b *testing.B) {
	prev, _ := useKernel(goKernel.name)
	defer useKernel(prev)
	benchSgemm(b, pureGoShapes)
}

// benchSgemm times Sgemm at each thread count on the shapes in only, or
// on all of them for a nil only.
func benchSgemm(b *testing.B, only map[string]bool) {
	for _, s := range gemmshapes.All {
		if only != nil && !only[s.Name] {
			continue
		}
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.Name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				withWorkers(w, func() {
					for b.Loop() {
						Sgemm(false, false, s.M, s.N, s.K, 1, x, s.K, y, s.N, 0, z, s.N)
					}
				})
				reportGflops(b, s)
			})
		}
	}
}

// BenchmarkGonumSgemm times gonum's own Sgemm on the same shapes; gonum
// takes its thread count from GOMAXPROCS.
func BenchmarkGonumSgemm(b *testing.B) {
	for _, s := range gemmshapes.All {
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.Name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(w))
				for b.Loop() {
					gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, s.M, s.N, s.K, 1, x, s.K, y, s.N, 0, z, s.N)
				}
				reportGflops(b, s)
			})
		}
	}
}

// BenchmarkKernel times each micro-kernel alone on panels that stay in L1,
// the ceiling the blocked loops can reach.
// A BF16 kernel runs 256 steps of K as 128 pairs.
func BenchmarkKernel(b *testing.B) {
	const k = 256
	for _, kn := range append(kernels[:len(kernels):len(kernels)], bf16Kernels...) {
		b.Run(kn.name, func(b *testing.B) {
			kk := k
			if kn.bf16 {
				kk = pairsOf(k)
			}
			a := alignedFloats(kn.mr * kk)
			p := alignedFloats(kn.nr * kk)
			c := alignedFloats(kn.mr * kn.nr)
			ars, acs := 1, kn.mr
			if kn.aRows {
				ars, acs = kk, 1
			}
			for b.Loop() {
				kn.full(kk, a, ars, acs, p, kn.nr, c, kn.nr, 1, 1, 0, 0)
			}
			b.ReportMetric(2*float64(kn.mr*kn.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemmTransposed times the transposed operands that backward
// passes use: conv2's weight gradient dY x cols^T (B transposed) and its
// input gradient W^T x dY (A transposed), one image, and 1024^3 in every
// transpose combination.
func BenchmarkSgemmTransposed(b *testing.B) {
	cases := []struct {
		s              gemmshapes.Shape
		transA, transB bool
	}{
		{gemmshapes.Shape{Name: "conv2-b1-dW", M: 256, N: 2400, K: 676}, false, true},
		{gemmshapes.Shape{Name: "conv2-b1-dX", M: 2400, N: 676, K: 256}, true, false},
		{gemmshapes.Shape{Name: "square-1024-NT", M: 1024, N: 1024, K: 1024}, false, true},
		{gemmshapes.Shape{Name: "square-1024-TN", M: 1024, N: 1024, K: 1024}, true, false},
		{gemmshapes.Shape{Name: "square-1024-TT", M: 1024, N: 1024, K: 1024}, true, true},
	}
	for _, tc := range cases {
		s := tc.s
		lda, ldb := s.K, s.N
		if tc.transA {
			lda = s.M
		}
		if tc.transB {
			ldb = s.K
		}
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.Name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				withWorkers(w, func() {
					for b.Loop() {
						Sgemm(tc.transA, tc.transB, s.M, s.N, s.K, 1, x, lda, y, ldb, 0, z, s.N)
					}
				})
				reportGflops(b, s)
			})
		}
	}
}
