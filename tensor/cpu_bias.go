package tensor

// biasArgs views y (or dy) as [N, C, inner] with the bias b (or db) [C].
type biasArgs struct {
	y, b        []float32
	n, c, inner int
}

func newBiasArgs(y, b *Tensor) biasArgs {
	n, c := y.shape[0], y.shape[1]
	return biasArgs{y: f32(y), b: f32(b), n: n, c: c, inner: checkShape(y.shape[2:])}
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
		a.b[c] += float32(s.total())
	}
})

func (d *cpuDevice) BiasAdd(y, b *Tensor) {
	a := newBiasArgs(y, b)
	biasAddLoop.For(d.workers, a.n*a.c, grainFor(a.inner), a)
}

func (d *cpuDevice) BiasGrad(db, dy *Tensor) {
	a := newBiasArgs(dy, db)
	biasGradLoop.For(d.workers, a.c, grainFor(a.n*a.inner), a)
}
