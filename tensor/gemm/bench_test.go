package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one m x n x k product the benchmarks time.
type benchShape struct {
	name    string
	m, n, k int
}

// benchShapes are the squares and the im2col GEMMs of AlexNet's
// convolutions and first dense layer (one image, b1, or a batch of 128).
var benchShapes = []benchShape{
	{"128x128x128", 128, 128, 128},
	{"256x256x256", 256, 256, 256},
	{"512x512x512", 512, 512, 512},
	{"1024x1024x1024", 1024, 1024, 1024},
	{"2048x2048x2048", 2048, 2048, 2048},
	{"conv1_b1_96x2916x121", 96, 2916, 121},
	{"conv2_b1_256x676x2400", 256, 676, 2400},
	{"conv3_b1_384x144x2304", 384, 144, 2304},
	{"fc1_b128_128x4096x6400", 128, 4096, 6400},
	{"conv2_b128_256x86528x2400", 256, 86528, 2400},
	{"conv3_b128_384x18432x2304", 384, 18432, 2304},
}

// pureGoShapes are the shapes the pure-Go kernel is timed on.
var pureGoShapes = map[string]bool{"256x256x256": true, "1024x1024x1024": true, "conv2_b1_256x676x2400": true}

// benchThreads are the worker counts each shape runs with.
var benchThreads = []int{1, 2}

// benchOperands returns random operands for s, made on first use and kept
// for the next thread count: the large shapes take a while to fill.
func benchOperands(s benchShape) (a, b, c []float32) {
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
	a, b, c = fill(s.m*s.k), fill(s.k*s.n), make([]float32, s.m*s.n)
	lastShape, lastOperands = s, [3][]float32{a, b, c}
	return a, b, c
}

var (
	lastShape    benchShape
	lastOperands [3][]float32
)

// reportGflops turns b's time per operation into GFLOP/s for s.
func reportGflops(b *testing.B, s benchShape) {
	b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				withWorkers(w, func() {
					for b.Loop() {
						Sgemm(false, false, s.m, s.n, s.k, 1, x, s.k, y, s.n, 0, z, s.n)
					}
				})
				reportGflops(b, s)
			})
		}
	}
}

// BenchmarkSgemmPureGo times the portable kernel, for its ratio to gonum.
func BenchmarkSgemmPureGo(b *testing.B) {
	prev, _ := useKernel(goKernel.name)
	defer useKernel(prev)
	for _, s := range benchShapes {
		if !pureGoShapes[s.name] {
			continue
		}
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				withWorkers(w, func() {
					for b.Loop() {
						Sgemm(false, false, s.m, s.n, s.k, 1, x, s.k, y, s.n, 0, z, s.n)
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
	for _, s := range benchShapes {
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(w))
				for b.Loop() {
					gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, x, s.k, y, s.n, 0, z, s.n)
				}
				reportGflops(b, s)
			})
		}
	}
}

// BenchmarkKernel times each micro-kernel alone on panels that stay in L1,
// the ceiling the blocked loops can reach.
func BenchmarkKernel(b *testing.B) {
	const k = 256
	for _, kn := range kernels {
		b.Run(kn.name, func(b *testing.B) {
			a := alignedFloats(kn.mr * k)
			p := alignedFloats(kn.nr * k)
			c := alignedFloats(kn.mr * kn.nr)
			for b.Loop() {
				kn.full(k, a, p, c, kn.nr, 1, 1, 0, 0)
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
		s              benchShape
		transA, transB bool
	}{
		{benchShape{"conv2_b1_dW_256x2400x676", 256, 2400, 676}, false, true},
		{benchShape{"conv2_b1_dX_2400x676x256", 2400, 676, 256}, true, false},
		{benchShape{"1024x1024x1024_NT", 1024, 1024, 1024}, false, true},
		{benchShape{"1024x1024x1024_TN", 1024, 1024, 1024}, true, false},
		{benchShape{"1024x1024x1024_TT", 1024, 1024, 1024}, true, true},
	}
	for _, tc := range cases {
		s := tc.s
		lda, ldb := s.k, s.n
		if tc.transA {
			lda = s.m
		}
		if tc.transB {
			ldb = s.k
		}
		for _, w := range benchThreads {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, w), func(b *testing.B) {
				x, y, z := benchOperands(s)
				withWorkers(w, func() {
					for b.Loop() {
						Sgemm(tc.transA, tc.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
					}
				})
				reportGflops(b, s)
			})
		}
	}
}
