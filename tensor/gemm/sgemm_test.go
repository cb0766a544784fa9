package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/internal/cpucache"
	"github.com/tensorforge/tensorforge/internal/parallel"
)

// forEachKernel runs f once with every kernel this machine has forced on.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	for _, k := range kernels {
		t.Run(k.name, func(t *testing.T) {
			prev, _ := useKernel(k.name)
			defer useKernel(prev)
			f(t)
		})
	}
}

// withWorkers runs f with the worker pool set to n goroutines.
func withWorkers(n int, f func()) {
	prev := parallel.Workers()
	parallel.SetWorkers(n)
	defer parallel.SetWorkers(prev)
	f()
}

// guard fills every element of C's buffer that Sgemm must not touch: around
// the matrix and, when ldc > n, between its rows.
var guard = float32(math.Float32frombits(0x7fc0dead)) // a NaN with a payload

const guardLen = 17

// gemmCase is one call of Sgemm with its inputs laid out in memory.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	lda, ldb, ldc  int
	a, b, c0       []float32 // c0: C before the call, guards included
	bf16           bool      // run SgemmBF16, and check against A and B rounded to bfloat16
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("%dx%dx%d tA=%v tB=%v alpha=%g beta=%g lda=%d ldb=%d ldc=%d",
		tc.m, tc.n, tc.k, tc.transA, tc.transB, tc.alpha, tc.beta, tc.lda, tc.ldb, tc.ldc)
}

// newCase draws random A, B and C (NaN when beta is 0: it must not be read)
// with leading dimensions padded by up to pad elements.
func newCase(rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float32, pad int) gemmCase {
	tc := gemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	tc.lda = max(1, ac) + rng.IntN(pad+1)
	tc.ldb = max(1, bc) + rng.IntN(pad+1)
	tc.ldc = max(1, n) + rng.IntN(pad+1)
	tc.a = randMatrix(rng, ar, ac, tc.lda)
	tc.b = randMatrix(rng, br, bc, tc.ldb)
	tc.c0 = make([]float32, 2*guardLen+matLen(m, n, tc.ldc))
	for i := range tc.c0 {
		tc.c0[i] = guard
	}
	for i := range m {
		for j := range n {
			v := float32(rng.NormFloat64())
			if beta == 0 {
				v = float32(math.NaN())
			}
			tc.c0[guardLen+i*tc.ldc+j] = v
		}
	}
	return tc
}

// matLen is the shortest slice that holds a rows x cols matrix.
func matLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// randMatrix returns a rows x cols matrix in the shortest slice that holds
// it; the padding between rows is NaN, so reading it shows in C.
func randMatrix(rng *rand.Rand, rows, cols, ld int) []float32 {
	s := make([]float32, matLen(rows, cols, ld))
	for i := range s {
		s[i] = float32(math.NaN())
		if i%ld < cols {
			s[i] = float32(rng.NormFloat64())
		}
	}
	return s
}

// run calls Sgemm on a copy of C0 and returns the whole buffer.
func (tc gemmCase) run() []float32 {
	buf := append([]float32(nil), tc.c0...)
	end := len(buf) - guardLen
	// The capacity stops at the matrix, so a write past it lands in the
	// guard instead of growing the slice.
	sgemm := Workers(0).Sgemm
	if tc.bf16 {
		sgemm = Workers(0).SgemmBF16
	}
	sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, buf[guardLen:end:end], tc.ldc)
	return buf
}

// check compares got (a buffer from run) with a float64 reference and
// verifies that every guard is intact.
func (tc gemmCase) check(t *testing.T, got []float32) {
	t.Helper()
	// A BF16 product's inputs are rounded; its products of them are exact.
	in := func(v float32) float64 {
		if tc.bf16 {
			return float64(bf16.Widen(bf16.Round(v)))
		}
		return float64(v)
	}
	at := func(i, p int) float64 {
		if tc.transA {
			return in(tc.a[p*tc.lda+i])
		}
		return in(tc.a[i*tc.lda+p])
	}
	bt := func(p, j int) float64 {
		if tc.transB {
			return in(tc.b[j*tc.ldb+p])
		}
		return in(tc.b[p*tc.ldb+j])
	}
	// Each product may be off by a few float32 roundings per term.
	tol := 2 * float64(tc.k+2) * 0x1p-24
	inC := make([]bool, len(got))
	bad := 0
	for i := range tc.m {
		for j := range tc.n {
			idx := guardLen + i*tc.ldc + j
			inC[idx] = true
			var sum, mag float64
			for p := range tc.k {
				sum += at(i, p) * bt(p, j)
				mag += math.Abs(at(i, p) * bt(p, j))
			}
			want := float64(tc.alpha) * sum
			mag *= math.Abs(float64(tc.alpha))
			if tc.beta != 0 {
				c := float64(tc.c0[idx])
				want += float64(tc.beta) * c
				mag += math.Abs(float64(tc.beta) * c)
			}
			if g := float64(got[idx]); !(math.Abs(g-want) <= tol*mag+1e-30) {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d][%d] = %g, want %g", tc, i, j, g, want)
				}
			}
		}
	}
	for i, v := range got {
		if !inC[i] && math.Float32bits(v) != math.Float32bits(guard) {
			if bad++; bad <= 3 {
				t.Errorf("%v: element %d outside C (offset %d) overwritten with %g", tc, i, i-guardLen, v)
			}
		}
	}
	if bad > 0 {
		t.FailNow()
	}
}

// shapes are the m x n x k the correctness tests run: empty, 1, primes,
// exact and ragged tiles, tall, skinny, K longer than one K slice and N
// wider than one column block.
var shapes = [][3]int{
	{0, 0, 0}, {0, 3, 2}, {3, 0, 2}, {2, 3, 0}, {1, 1, 1}, {1, 1, 0},
	{2, 1, 3}, {1, 37, 5}, {13, 1, 29}, {17, 33, 7}, {12, 32, 4}, {6, 16, 9},
	{24, 64, 13}, {31, 47, 53}, {97, 3, 11}, {3, 97, 11}, {301, 5, 2},
	{5, 283, 3}, {7, 29, 601}, {25, 17, 257}, {9, 1601, 3}, {61, 67, 71},
}

func TestSgemm(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		scalars := [][2]float32{{1, 0}, {-0.5, 1}, {1.5, -2}, {0, 0.5}}
		for _, s := range shapes {
			for tr := range 4 {
				ab := scalars[rng.IntN(len(scalars))]
				tc := newCase(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], ab[0], ab[1], 5)
				tc.check(t, tc.run())
			}
		}
	})
}

// TestSgemmRandom runs random shapes, scalars and strides.
func TestSgemmRandom(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 8
	}
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for range n {
			m, n, k := 1+rng.IntN(70), 1+rng.IntN(70), 1+rng.IntN(300)
			alpha := float32(rng.NormFloat64())
			beta := [...]float32{0, 1, float32(rng.NormFloat64())}[rng.IntN(3)]
			tc := newCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, m, n, k, alpha, beta, 9)
			tc.check(t, tc.run())
		}
	})
}

// TestSgemmWorkers checks that results are bit-identical whatever the
// number of workers, for shapes split by columns and by rows.
func TestSgemmWorkers(t *testing.T) {
	// Above minParallelFlops, so split; with the AVX-512 tiles the first
	// and third are split by columns, the others by rows.
	shapes := [][3]int{{40, 600, 200}, {300, 20, 800}, {97, 101, 500}, {130, 40, 900}}
	if testing.Short() {
		shapes = shapes[:2]
	}
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, s := range shapes {
			if 2*s[0]*s[1]*s[2] < minParallelFlops {
				t.Fatalf("%v is too small to be split", s)
			}
			checkWorkersAgree(t, newCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, s[0], s[1], s[2], 0.75, 0.5, 3))
		}
	})
}

// checkWorkersAgree checks tc's product with 1 worker against its
// reference, and that 2 and 3 workers give the same bits.
func checkWorkersAgree(t *testing.T, tc gemmCase) {
	t.Helper()
	var one []float32
	withWorkers(1, func() { one = tc.run() })
	tc.check(t, one)
	for _, w := range []int{2, 3} {
		var many []float32
		withWorkers(w, func() { many = tc.run() })
		for i := range one {
			if math.Float32bits(one[i]) != math.Float32bits(many[i]) {
				t.Fatalf("%v: element %d is %g with 1 worker, %g with %d", tc, i, one[i], many[i], w)
			}
		}
	}
}

func TestSgemmNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{64, 300, 250}, {300, 20, 800}} {
		tc := newCase(rng, false, true, s[0], s[1], s[2], 1, 0, 0)
		c := make([]float32, s[0]*s[1])
		checkNoAllocs(t, tc, func() {
			Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, 0, c, tc.ldc)
		})
	}
}

// checkNoAllocs fails unless call allocates nothing once warm, at 1 and 2
// workers.
func checkNoAllocs(t *testing.T, what fmt.Stringer, call func()) {
	t.Helper()
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	for _, w := range []int{1, 2} {
		withWorkers(w, func() {
			call() // warm the pools
			if n := testing.AllocsPerRun(20, call); n != 0 {
				t.Errorf("%v with %d workers: %v allocations per call, want 0", what, w, n)
			}
		})
	}
}

func TestSgemmPanics(t *testing.T) {
	a, b, c := make([]float32, 6), make([]float32, 6), make([]float32, 4)
	cases := []panicCase{
		{"negative m", func() { Sgemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2) }, "m=-1"},
		{"short lda", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2) }, "lda = 2, want >= 3"},
		{"short a", func() { Sgemm(false, false, 2, 2, 3, 1, a[:5], 3, b, 2, 0, c, 2) }, "len(a) = 5, want >= 6"},
		{"short b transposed", func() { Sgemm(false, true, 2, 2, 3, 1, a, 3, b[:4], 3, 0, c, 2) }, "len(b) = 4, want >= 6"},
		{"short c", func() { Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c[:3], 2) }, "len(c) = 3, want >= 4"},
	}
	testPanics(t, cases)
}

// panicCase is a call that must panic with a message containing want.
type panicCase struct {
	name string
	call func()
	want string
}

func testPanics(t *testing.T, cases []panicCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one containing %q", msg, tc.want)
				}
			}()
			tc.call()
		})
	}
}

// TestTranspose checks the packing transposes of 4 and 16 rows (assembly
// where there is one) against a plain loop, with guards after each run.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tr := range []struct {
		name string
		rows int
		f    func(dst []float32, ldd int, src []float32, lds, n int)
	}{{"transpose4", 4, transpose4}, {"transpose16", 16, transpose16}} {
		for _, n := range []int{1, 3, 7, 8, 9, 16, 31, 48, 100} {
			for _, ldd := range []int{tr.rows, tr.rows + 1, 32, 48} {
				lds := n + rng.IntN(3)
				src := make([]float32, (tr.rows-1)*lds+n)
				for i := range src {
					src[i] = float32(rng.NormFloat64())
				}
				size := (n-1)*ldd + tr.rows
				got, want := make([]float32, size+guardLen), make([]float32, size+guardLen)
				for i := range got {
					got[i], want[i] = guard, guard
				}
				tr.f(got[:size:size], ldd, src, lds, n)
				for p := range n {
					for i := range tr.rows {
						want[p*ldd+i] = src[i*lds+p]
					}
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s n=%d ldd=%d lds=%d: element %d is %g, want %g", tr.name, n, ldd, lds, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestCopyRows checks the packing copy (assembly where there is one)
// against the pure-Go one, with guards after each row.
func TestCopyRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, rows := range []int{1, 2, 5} {
		for _, w := range []int{1, 3, 4, 7, 8, 12, 13, 32, 35} {
			ldd, lds := w+rng.IntN(3), w+rng.IntN(3)
			src := make([]float32, (rows-1)*lds+w)
			for i := range src {
				src[i] = float32(rng.NormFloat64())
			}
			size := (rows-1)*ldd + w
			got, want := make([]float32, size+guardLen), make([]float32, size+guardLen)
			for i := range got {
				got[i], want[i] = guard, guard
			}
			copyRows(got[:size:size], ldd, src, lds, rows, w, 1<<20)
			copyRowsGo(want[:size], ldd, src, lds, rows, w, 0)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("rows=%d w=%d ldd=%d lds=%d: element %d is %g, want %g", rows, w, ldd, lds, i, got[i], want[i])
				}
			}
		}
	}
}

// TestRowSpanPieces checks that the prefetch pieces cover every row once,
// in order, and never cross into the gap between rows.
func TestRowSpanPieces(t *testing.T) {
	for _, r := range []rowSpan{
		{base: 1000, stride: 500, length: 300, piece: 128, rows: 3},
		{base: 0, stride: 64, length: 64, piece: 64, rows: 5},
		{base: 64, stride: 8192, length: 8000, piece: 4096, rows: 2},
	} {
		i := 0
		for row := range r.rows {
			next := r.base + uintptr(row)*r.stride
			for next < r.base+uintptr(row)*r.stride+r.length {
				start, end := r.next()
				if start != next || end <= start || end-start > r.piece || end > r.base+uintptr(row)*r.stride+r.length {
					t.Fatalf("%+v: piece %d is [%d, %d), want one starting at %d inside row %d", r, i, start, end, next, row)
				}
				next, i = end, i+1
			}
		}
		if start, end := r.next(); start != end {
			t.Errorf("%+v: piece %d past the end is [%d, %d), want empty", r, i, start, end)
		}
	}
}

// TestInPlaceBlock checks the in-place B block against the caches: the
// measured 256 KiB on Zen's 1 MiB L2 and where CPUID is silent, a quarter
// of other L2s within bounds.
func TestInPlaceBlock(t *testing.T) {
	for _, tc := range []struct {
		l2    int
		known bool
		want  int
	}{{1 << 20, true, 256 << 10}, {0, false, 256 << 10}, {2 << 20, true, 512 << 10}, {256 << 10, true, 128 << 10}, {32 << 20, true, 1 << 20}} {
		if got := inPlaceBlock(cpucache.Sizes{L1d: 32 << 10, L2: tc.l2}, tc.known); got != tc.want {
			t.Errorf("L2 %d (known %v): block %d, want %d", tc.l2, tc.known, got, tc.want)
		}
	}
}

// TestInPlaceStride checks which vendors read a B whose rows lie on
// different pages in place.
func TestInPlaceStride(t *testing.T) {
	for vendor, want := range map[string]int{"GenuineIntel": 4096, "AuthenticAMD": math.MaxInt, "": math.MaxInt} {
		if got := inPlaceStride(vendor); got != want {
			t.Errorf("%q: %d, want %d", vendor, got, want)
		}
	}
}
