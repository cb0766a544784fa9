package tensor

// biasArgs views y (or dy) as [N, C, inner] with the bias b (or db) [C];
// beta scales db before BiasGrad adds into it.
type biasArgs struct {
	y, b        []float32
	n, c, inner int
	beta        float32
}

func newBiasArgs(y, b *Tensor) biasArgs {
	n, c := y.shape[0], y.shape[1]
	return biasArgs{y: f32(y), b: f32(b), n: n, c: c, inner: checkShape(y.shape[2:])}
}

// withBeta returns beta*old + s rounded once to float32, the way every
// parameter gradient the CPU sums in float64 is stored. With beta 0 the
// result is s whatever old holds (NaN included), as BLAS's beta 0 ignores C.
func withBeta(s float64, beta, old float32) float32 {
	if beta == 0 {
		return float32(s)
	}
	return float32(float64(beta)*float64(old) + s)
}

// grainFor returns how many units of the given size make a chunk worth
// handing to another worker.
func grainFor(unit int) int { return max(1, 4096/max(unit, 1)) }

// biasAddLoop runs over the N*C (image, channel) spans of y.
var biasAddLoop = newLoop(func(a *biasArgs, lo, hi int) {
	for u := lo; u < hi; u++ {
		addBias(a.y[u*a.inner:(u+1)*a.inner], a.b[u%a.c], false)
	}
})

// addBias sets y[i] += b, then y[i] = relu(y[i]) where withReLU is set: a
// loop, or the assembly that replaces it where the CPU has AVX-512.
var addBias = func(y []float32, b float32, withReLU bool) {
	if withReLU {
		for i, u := range y {
			y[i] = relu(u + b)
		}
		return
	}
	for i := range y {
		y[i] += b
	}
}

// biasGradLoop runs over channels: each db[c] is summed by one worker, in
// float64 and in an order fixed by the shape alone, whatever the worker
// count (see sum4).
var biasGradLoop = newLoop(func(a *biasArgs, lo, hi int) {
	for c := lo; c < hi; c++ {
		var s sum4
		for n := range a.n {
			s.add(a.y[(n*a.c+c)*a.inner:][:a.inner])
		}
		a.b[c] = withBeta(s.total(), a.beta, a.b[c])
	}
})

func (d *cpuDevice) BiasAdd(y, b *Tensor) {
	a := newBiasArgs(y, b)
	biasAddLoop.For(d.workers, a.n*a.c, grainFor(a.inner), a)
}

func (d *cpuDevice) BiasGrad(db, dy *Tensor, beta float32) {
	a := newBiasArgs(dy, db)
	a.beta = beta
	biasGradLoop.For(d.workers, a.c, grainFor(a.n*a.inner), a)
}
