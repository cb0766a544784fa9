package tensor

import (
	"math"
	"sync"
)

// unaryLoops compute y = op(x), one loop per UnaryOp. In Go each value is
// computed in float64 and rounded once to float32: the float32 result is
// then the correctly rounded one but for rare double roundings, overflow
// gives +Inf where float32 overflows (e^89 and above) and the sigmoid's
// tails reach exactly 0 and 1. The sigmoid, which the book's LeNet runs on
// every activation, has an AVX-512 version, thirty times as fast on Zen 4
// and within 2 ulps (see sigmoidSpan).
var unaryLoops = [...]*loop[elemArgs]{
	OpExp: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys := a.x[lo:hi], a.y[lo:hi]
		for i, v := range xs {
			ys[i] = float32(exp32(v))
		}
	}),
	OpSigmoid: newLoop(func(a *elemArgs, lo, hi int) { sigmoidSpan(a.x[lo:hi], a.y[lo:hi]) }),
	OpTanh: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys := a.x[lo:hi], a.y[lo:hi]
		for i, v := range xs {
			ys[i] = float32(math.Tanh(float64(v)))
		}
	}),
}

// sigmoidSpan writes 1/(1+e^-x[i]) to y[i]; an AVX-512 version replaces
// it where the CPU has one.
var sigmoidSpan = func(x, y []float32) {
	for i, v := range x {
		y[i] = float32(1 / (1 + exp32(-v)))
	}
}

// exp32 returns e^x for a float32 x, in float64 to within about 1e-8 of
// the value: far inside a float32 rounding, for a third of math.Exp's
// time, since it need not be right to float64's last bit. x is reduced to
// n*ln2 + r with |r| <= ln2/2 (n*ln2 in float64 is exact to 1e-14 for the
// n that matter), e^r is its Taylor polynomial of degree 7 (the remainder
// r^8/8! is below 6e-9), and 2^n goes into the exponent. x is clamped to
// [-104, 104], beyond which every float32 result (e^x, and the sigmoid
// 1/(1+e^-x)) is already 0, 1 or +Inf, so 2^n never leaves float64's
// normal range.
func exp32(x float32) float64 {
	v := float64(x)
	switch {
	case v < -104:
		v = -104
	case v > 104:
		v = 104
	case v != v:
		return v // NaN
	}
	const round = 0x1.8p52 // adding it rounds to an integer
	n := v*math.Log2E + round - round
	r := v - n*math.Ln2
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(int64(n)+1023)<<52)
}

func (d *cpuDevice) Unary(op UnaryOp, y, x *Tensor) {
	d.elementwise(unaryLoops[op], elemArgs{x: f32(x), y: f32(y)})
}

// unaryGradLoops compute z = y * op'(x) from x, op's output (y is the
// incoming gradient and z the outgoing one, as in reluGradLoop).
var unaryGradLoops = [...]*loop[elemArgs]{
	OpExp: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
		for i, v := range xs {
			zs[i] = ys[i] * v
		}
	}),
	// 1-v is exact for v in [0.5, 1], where the sigmoid saturates.
	OpSigmoid: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
		for i, v := range xs {
			zs[i] = ys[i] * (v * (1 - v))
		}
	}),
	// 1-v*v loses most of its digits as |v| nears 1 (v*v is rounded
	// before the subtraction cancels); (1-v)*(1+v) rounds each factor
	// only slightly, so the gradient keeps its accuracy in saturation.
	OpTanh: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
		for i, v := range xs {
			zs[i] = ys[i] * ((1 - v) * (1 + v))
		}
	}),
}

func (d *cpuDevice) UnaryGrad(op UnaryOp, dx, dy, y *Tensor) {
	d.elementwise(unaryGradLoops[op], elemArgs{x: f32(y), y: f32(dy), z: f32(dx)})
}

// binaryLoops compute z = x op y, one loop per BinaryOp. Each element is
// read before it is written, so z may alias x or y.
var binaryLoops = [...]*loop[elemArgs]{
	OpAdd: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
		for i, v := range xs {
			zs[i] = v + ys[i]
		}
	}),
	OpSub: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
		for i, v := range xs {
			zs[i] = v - ys[i]
		}
	}),
	OpMul: newLoop(func(a *elemArgs, lo, hi int) {
		xs, ys, zs := a.x[lo:hi], a.y[lo:hi], a.z[lo:hi]
		for i, v := range xs {
			zs[i] = v * ys[i]
		}
	}),
}

func (d *cpuDevice) Binary(op BinaryOp, z, x, y *Tensor) {
	d.elementwise(binaryLoops[op], elemArgs{x: f32(x), y: f32(y), z: f32(z)})
}

// A reduction of x [outer, n, inner] is cut, by its shape alone, into
// units: one outer index, a tile of at most reduceTile neighbouring inner
// indices, and a block of consecutive rows of n. Sums accumulate in
// float64, where a chain of k additions of float32 values errs by at most
// about k * 2^-53 of the sum of their magnitudes; no chain here is longer
// than a block plus the number of blocks, so even a whole-tensor sum of
// billions of elements stays far within float32's own rounding (2^-24)
// and comes out as the float32 nearest the exact sum but in rare
// near-ties. Pure Go adds float64 values as fast as float32 ones, one at
// a time, so this costs nothing over float32 pairwise summation. When n
// takes more than one block, each unit leaves its partial results in a
// float64 scratch buffer and a second pass combines them in block order.
// The units and that order depend on the shape only, so results are the
// same to the bit for any worker count.
const (
	// reduceTile bounds the inner indices one unit accumulates side by
	// side: their accumulators are 4 KiB on the stack.
	reduceTile = 512
	// reduceBlock is about how many elements one unit reads: a long
	// reduced axis is split into blocks of this many, so a whole-tensor
	// reduction spreads over the workers, and the scratch buffer holds at
	// most one float64 for every reduceBlock/reduceTile/2 = 32 elements
	// of x.
	reduceBlock = 1 << 15
)

// reduceArgs carries one Reduce call: x viewed as [outer, n, inner], y as
// [outer, inner], and part, the [outer, blocks, inner] partial results
// when n is split into more than one block of rows.
type reduceArgs struct {
	x, y                []float32
	part                []float64
	op                  ReduceOp
	outer, n, inner     int
	tiles, blocks, rows int
}

// reduceScratch keeps partial-result buffers for reuse by later calls.
var reduceScratch = sync.Pool{New: func() any { return new([]float64) }}

// reduceLoop runs over units, ordered by outer index, then tile, then
// block.
var reduceLoop = newLoop(func(a *reduceArgs, lo, hi int) {
	var acc [reduceTile]float64
	for u := lo; u < hi; u++ {
		b, t, o := u%a.blocks, u/a.blocks%a.tiles, u/(a.blocks*a.tiles)
		k0, k1 := b*a.rows, min((b+1)*a.rows, a.n)
		i0 := t * reduceTile
		s := acc[:min(reduceTile, a.inner-i0)]
		x := a.x[(o*a.n+k0)*a.inner+i0:]
		if a.op == OpSum {
			sumRows(s, x, k1-k0, a.inner)
		} else {
			maxRows(s, x, k1-k0, a.inner)
		}
		if a.part != nil {
			copy(a.part[(o*a.blocks+b)*a.inner+i0:], s)
			continue
		}
		y := a.y[o*a.inner+i0:][:len(s)]
		for j, v := range s {
			y[j] = float32(v)
		}
	}
})

// reduceRowsLoop runs over outer indices when each reduces one short
// contiguous row (inner 1, one block): reduceLoop's results, without its
// per-unit bookkeeping, which costs more than a row of a few elements.
var reduceRowsLoop = newLoop(func(a *reduceArgs, lo, hi int) {
	for o := lo; o < hi; o++ {
		row := a.x[o*a.n:][:a.n]
		if a.op == OpSum {
			a.y[o] = float32(sum64(row))
		} else {
			a.y[o] = max32(row)
		}
	}
})

// sumRows sets s[j] to the sum of x[k*stride+j] over k in [0, rows).
func sumRows(s []float64, x []float32, rows, stride int) {
	if stride == 1 {
		s[0] = sum64(x[:rows])
		return
	}
	clear(s)
	for k := range rows {
		for j, v := range x[k*stride:][:len(s)] {
			s[j] += float64(v)
		}
	}
}

// maxRows sets s[j] to the maximum of x[k*stride+j] over k in [0, rows),
// rows > 0. Go's max is NaN when either operand is, so a NaN stays.
func maxRows(s []float64, x []float32, rows, stride int) {
	if stride == 1 {
		s[0] = float64(max32(x[:rows]))
		return
	}
	for j, v := range x[:len(s)] {
		s[j] = float64(v)
	}
	for k := 1; k < rows; k++ {
		for j, v := range x[k*stride:][:len(s)] {
			s[j] = max(s[j], float64(v))
		}
	}
}

// sum64 returns the sum of xs in float64 (see sum4).
func sum64(xs []float32) float64 {
	var s sum4
	s.add(xs)
	return s.total()
}

// sum4 sums float32 spans in float64, in an order fixed by the spans
// alone: four partial sums keep four additions in flight where one running
// sum would wait on each add's latency.
type sum4 [4]float64

// add adds xs to the sums, element i of each run of four to sum i. The
// sums stay in registers for the loop: through the pointer, each add
// waited on a store and a load.
func (s *sum4) add(xs []float32) {
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	for len(xs) >= 4 {
		s0 += float64(xs[0])
		s1 += float64(xs[1])
		s2 += float64(xs[2])
		s3 += float64(xs[3])
		xs = xs[4:]
	}
	for _, v := range xs {
		s0 += float64(v)
	}
	s[0], s[1], s[2], s[3] = s0, s1, s2, s3
}

// total returns the sum of everything added.
func (s *sum4) total() float64 { return (s[0] + s[1]) + (s[2] + s[3]) }

// max32 returns the maximum of xs (not empty), NaN if any element is, with
// four running maxima as sum64 has four sums.
func max32(xs []float32) float32 {
	m0 := xs[0]
	m1, m2, m3 := m0, m0, m0
	for len(xs) >= 4 {
		m0 = max(m0, xs[0])
		m1 = max(m1, xs[1])
		m2 = max(m2, xs[2])
		m3 = max(m3, xs[3])
		xs = xs[4:]
	}
	for _, v := range xs {
		m0 = max(m0, v)
	}
	return max(m0, m1, m2, m3)
}

// reduceCombineLoop runs over the outputs, combining each one's partial
// results in block order.
var reduceCombineLoop = newLoop(func(a *reduceArgs, lo, hi int) {
	for i := lo; i < hi; i++ {
		o, j := i/a.inner, i%a.inner
		p := a.part[o*a.blocks*a.inner+j:]
		v := p[0]
		for b := 1; b < a.blocks; b++ {
			if a.op == OpSum {
				v += p[b*a.inner]
			} else {
				v = max(v, p[b*a.inner])
			}
		}
		a.y[i] = float32(v)
	}
})

func (d *cpuDevice) Reduce(op ReduceOp, y, x *Tensor, outer, n, inner int) {
	if n == 0 {
		clear(f32(y)) // an empty sum
		return
	}
	width := min(inner, reduceTile)
	rows := max(1, reduceBlock/width)
	a := reduceArgs{x: f32(x), y: f32(y), op: op, outer: outer, n: n, inner: inner,
		tiles: (inner + reduceTile - 1) / reduceTile, blocks: (n + rows - 1) / rows, rows: rows}
	switch {
	case a.blocks == 1 && inner == 1:
		reduceRowsLoop.For(d.workers, outer, grainFor(n), a)
	case a.blocks == 1:
		reduceLoop.For(d.workers, outer*a.tiles, grainFor(n*width), a)
	default:
		sc := reduceScratch.Get().(*[]float64)
		if need := outer * a.blocks * inner; cap(*sc) < need {
			*sc = make([]float64, need)
		}
		a.part = (*sc)[:outer*a.blocks*inner]
		reduceLoop.For(d.workers, outer*a.tiles*a.blocks, 1, a)
		reduceCombineLoop.For(d.workers, outer*inner, grainFor(a.blocks), a)
		reduceScratch.Put(sc)
	}
}
