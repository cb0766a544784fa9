package tensor

type sgdArgs struct {
	p, g, v []float32
	o       SGDOptions
}

// sgdLoop follows torch.optim.SGD's order of operations: the weight decay
// joins the gradient before the momentum buffer sees it.
var sgdLoop = newLoop(func(a *sgdArgs, lo, hi int) {
	lr, mu, wd := a.o.LR, a.o.Momentum, a.o.WeightDecay
	p, g := a.p[lo:hi], a.g[lo:hi]
	if mu == 0 {
		for i := range p {
			p[i] -= lr * (g[i] + wd*p[i])
		}
		return
	}
	v := a.v[lo:hi]
	for i := range p {
		v[i] = mu*v[i] + (g[i] + wd*p[i])
		p[i] -= lr * v[i]
	}
})

func (d *cpuDevice) SGD(params, grads, velocity *Tensor, o SGDOptions) {
	a := sgdArgs{p: f32(params), g: f32(grads), o: o}
	if o.Momentum != 0 {
		a.v = f32(velocity)
	}
	sgdLoop.For(d.workers, len(a.p), 4096, a)
}
