package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// forEachBF16Kernel runs f once with every BF16 kernel this machine has
// forced on.
func forEachBF16Kernel(t *testing.T, f func(t *testing.T)) {
	for _, k := range bf16Kernels {
		t.Run(k.name, func(t *testing.T) {
			prev, _ := useKernel(k.name)
			defer useKernel(prev)
			f(t)
		})
	}
}

// TestSgemmBF16 checks every BF16 kernel on the shapes Sgemm is tested on,
// against a float64 product of the inputs rounded to bfloat16.
func TestSgemmBF16(t *testing.T) {
	forEachBF16Kernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		scalars := [][2]float32{{1, 0}, {-0.5, 1}, {1.5, -2}, {0, 0.5}}
		for _, s := range shapes {
			for tr := range 4 {
				ab := scalars[rng.IntN(len(scalars))]
				tc := newCase(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], ab[0], ab[1], 5)
				tc.bf16 = true
				tc.check(t, tc.run())
			}
		}
	})
}

// TestSgemmBF16KernelsAgree checks that the VDPBF16PS and the pure-Go BF16
// kernels give the same bits (AMX's sums are its own: see amx_amd64.go), on values spread over many orders of
// magnitude, tiny ones included, whose sums go denormal (and so to zero).
// No product overflows: there the CPU (Zen 5) and the pure-Go kernel can
// disagree on an infinity's sign or give NaN, as a pair whose products
// overflow to opposite infinities is summed in another order or width.
func TestSgemmBF16KernelsAgree(t *testing.T) {
	var same []*kernel // the kernels whose sums are VDPBF16PS's
	for _, k := range bf16Kernels {
		if !k.ownSums {
			same = append(same, k)
		}
	}
	if len(same) < 2 {
		t.Skip("this CPU has no AVX512_BF16: only the pure-Go kernel")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	for _, s := range [][3]int{{12, 32, 8}, {37, 71, 301}, {5, 40, 33}, {130, 45, 600}} {
		for tr := range 8 { // each transposition, beta 0 and 1
			beta := float32(tr / 4)
			tc := newCase(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 1, beta, 3)
			tc.bf16 = true
			for _, m := range [][]float32{tc.a, tc.b} {
				for i := range m {
					m[i] *= float32(math.Pow(2, float64(rng.IntN(116)-66)))
				}
			}
			var runs [2][]float32
			for i, k := range same[:2] {
				prev, _ := useKernel(k.name)
				runs[i] = tc.run()
				useKernel(prev)
			}
			for i := range runs[0] {
				if math.Float32bits(runs[0][i]) != math.Float32bits(runs[1][i]) {
					t.Fatalf("%v: element %d is %g (%#08x) from %s, %g (%#08x) from %s", tc, i,
						runs[0][i], math.Float32bits(runs[0][i]), same[0].name, runs[1][i], math.Float32bits(runs[1][i]), same[1].name)
				}
			}
		}
	}
}

// TestSgemmBF16Workers checks that BF16 results do not depend on the
// worker count, and TestSgemmBatchBF16 that a batch gives each product's
// SgemmBF16 bits.
func TestSgemmBF16Workers(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, s := range [][3]int{{40, 600, 200}, {300, 20, 800}} {
		tc := newCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, s[0], s[1], s[2], 0.75, 0.5, 3)
		tc.bf16 = true
		checkWorkersAgree(t, tc)
	}
}

func TestSgemmBatchBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for _, s := range [][3]int{{13, 7, 5}, {40, 600, 200}, {300, 20, 801}} {
		for _, batch := range []int{1, 3} {
			bc := newBatchCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, s[0], s[1], s[2], batch, 1.5, -2)
			bc.bf16 = true
			want := bc.want()
			for _, w := range []int{1, 2} {
				var got []float32
				withWorkers(w, func() { got = bc.run() })
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v with %d workers: element %d is %g, SgemmBF16 gives %g", bc, w, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestPairTransposes checks the pair transposes this machine runs (the
// assembly ones where the CPU has AVX512_BF16) against the plain loop, bit
// for bit, with NaNs, infinities, denormals and ties among the inputs, for
// every count of pairs around the 16-pair blocks, and pairRows likewise.
func TestPairTransposes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	special := []float32{float32(math.NaN()), float32(math.Inf(-1)), 1e-40, -1e-39, math.Float32frombits(0x3f808000), math.Float32frombits(0x3f818000), 0, -0.0}
	value := func() float32 {
		if r.IntN(8) == 0 {
			return special[r.IntN(len(special))]
		}
		return float32(r.NormFloat64())
	}
	for _, c := range []struct {
		rows int
		f    func([]float32, int, []float32, int, int)
	}{{16, pairs16}, {4, pairs4}} {
		for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 48, 53} {
			lds, ldd := 2*n+r.IntN(3), c.rows+r.IntN(40)
			src := make([]float32, c.rows*lds+2)
			for i := range src {
				src[i] = value()
			}
			got, want := make([]float32, n*ldd+c.rows), make([]float32, n*ldd+c.rows)
			c.f(got, ldd, src, lds, n)
			pairsGo(want, ldd, src, lds, c.rows, n)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%d rows, %d pairs: element %d is %#08x, want %#08x", c.rows, n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
				}
			}
		}
	}
	// Panels of 16 and 48 columns too: packBBF16 pairs the whole groups
	// of 16 columns of a partial panel as one narrower panel.
	for _, pn := range [][2]int{{1, 32}, {3, 32}, {1, 16}, {2, 48}} {
		panels, nr := pn[0], pn[1]
		ps := nr + 8
		src0, src1 := make([]float32, panels*nr), make([]float32, panels*nr)
		for i := range src0 {
			src0[i], src1[i] = value(), value()
		}
		got := make([]float32, panels*ps)
		pairRows(got, ps, src0, src1, panels, nr)
		for p := range panels {
			for j := range nr {
				want := pairBF16(src0[p*nr+j], src1[p*nr+j])
				if g := got[p*ps+j]; math.Float32bits(g) != math.Float32bits(want) {
					t.Fatalf("pairRows: panel %d column %d is %#08x, want %#08x", p, j, math.Float32bits(g), math.Float32bits(want))
				}
			}
		}
	}
}

// TestSgemmBF16Concurrent runs BF16 products from many goroutines at once
// and checks each against the same product run alone: a kernel that keeps
// state in its thread's registers between calls (AMX's tile configuration)
// must set it up anew each call, as goroutines share threads in turn.
func TestSgemmBF16Concurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	var cases []gemmCase
	for _, s := range [][3]int{{40, 100, 70}, {96, 300, 512}, {33, 65, 129}, {100, 40, 33}} {
		for tr := range 2 {
			tc := newCase(rng, tr == 1, tr == 0, s[0], s[1], s[2], 1, float32(tr), 2)
			tc.bf16 = true
			cases = append(cases, tc)
		}
	}
	want := make([][]float32, len(cases))
	for i, tc := range cases {
		want[i] = tc.run()
	}
	const rounds = 8
	errs := make(chan string, len(cases)*rounds)
	var wg sync.WaitGroup
	for range rounds {
		for i, tc := range cases {
			wg.Go(func() {
				got := tc.run()
				for e := range got {
					if math.Float32bits(got[e]) != math.Float32bits(want[i][e]) {
						errs <- fmt.Sprintf("%v: element %d is %g at once with others, %g alone", tc, e, got[e], want[i][e])
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
