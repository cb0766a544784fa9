package tensor

type dropoutArgs struct {
	y, mask, x []float32
	p, scale   float32
	seed       uint64
}

var dropoutLoop = newLoop(func(a *dropoutArgs, lo, hi int) {
	for i := lo; i < hi; i++ {
		m := float32(0)
		if DropoutKeep(a.seed, uint64(i), a.p) {
			m = a.scale
		}
		a.mask[i] = m
		a.y[i] = a.x[i] * m
	}
})

func (d *cpuDevice) Dropout(y, mask, x *Tensor, p float32, seed uint64) {
	a := dropoutArgs{y: f32(y), mask: f32(mask), x: f32(x), p: p, scale: 1 / (1 - p), seed: seed}
	dropoutLoop.For(d.workers, len(a.x), 4096, a)
}
