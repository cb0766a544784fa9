package tensor

import (
	"fmt"
	"math"
	"sync"
)

// lossArgs carries one SoftmaxCrossEntropy call; rows are the units of work.
// Each row leaves its loss and hit in rowLoss and hit, and the caller adds
// them up in row order, so the total does not depend on the worker count.
type lossArgs struct {
	logits, dlogits []float32
	labels          []int32
	k               int
	rowLoss         []float64
	hit             []bool
}

// lossScratch keeps the per-row result buffers for reuse by later calls.
type lossScratch struct {
	rowLoss []float64
	hit     []bool
}

var lossScratchPool = sync.Pool{New: func() any { return new(lossScratch) }}

var lossLoop = newLoop(func(a *lossArgs, lo, hi int) {
	invN := 1 / float64(len(a.labels))
	for r := lo; r < hi; r++ {
		x := a.logits[r*a.k:][:a.k]
		label := int(a.labels[r])
		// Subtracting the row's maximum keeps exp from overflowing.
		best := 0
		for j, v := range x {
			if v > x[best] {
				best = j
			}
		}
		m := float64(x[best])
		var s float64
		for _, v := range x {
			s += math.Exp(float64(v) - m)
		}
		a.rowLoss[r] = math.Log(s) - (float64(x[label]) - m)
		a.hit[r] = best == label
		if a.dlogits == nil {
			continue
		}
		d := a.dlogits[r*a.k:][:a.k]
		for j, v := range x {
			p := math.Exp(float64(v)-m) / s
			if j == label {
				p--
			}
			d[j] = float32(p * invN)
		}
	}
})

func (d *cpuDevice) SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels *Tensor) {
	n, k := logits.shape[0], logits.shape[1]
	ls := i32(labels)
	// Checked here rather than in the loop so the panic reaches the caller
	// and not a worker goroutine.
	for r, l := range ls {
		if l < 0 || int(l) >= k {
			panic(fmt.Sprintf("tensor: SoftmaxCrossEntropy: label %d of row %d outside [0, %d) (logits %v)", l, r, k, logits.shape))
		}
	}
	sc := lossScratchPool.Get().(*lossScratch)
	if cap(sc.rowLoss) < n {
		sc.rowLoss, sc.hit = make([]float64, n), make([]bool, n)
	}
	a := lossArgs{logits: f32(logits), dlogits: f32(dlogits), labels: ls, k: k,
		rowLoss: sc.rowLoss[:n], hit: sc.hit[:n]}
	lossLoop.For(d.workers, n, grainFor(a.k), a)
	var total float64
	hits := int32(0)
	for r := range n {
		total += a.rowLoss[r]
		if a.hit[r] {
			hits++
		}
	}
	lossScratchPool.Put(sc)
	if n > 0 {
		total /= float64(n)
	}
	f32(loss)[0] = float32(total)
	i32(correct)[0] = hits
}
