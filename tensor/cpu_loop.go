package tensor

import (
	"sync"

	"github.com/tensorforge/tensorforge/internal/parallel"
)

// loop runs one operation's body over the worker pool without allocating
// once warm. A closure handed to parallel.For escapes to the heap on every
// call; instead each loop keeps a pool of argument blocks whose bound
// function value is made once, and a call only copies its arguments in.
type loop[A any] struct {
	body func(a *A, lo, hi int)
	pool sync.Pool // of *boundLoop[A]
}

type boundLoop[A any] struct {
	args A
	run  func(lo, hi int)
}

// newLoop returns a loop that runs body(&args, lo, hi) over [0, n) split
// into chunks.
func newLoop[A any](body func(a *A, lo, hi int)) *loop[A] {
	l := &loop[A]{body: body}
	l.pool.New = func() any {
		b := new(boundLoop[A])
		b.run = func(lo, hi int) { l.body(&b.args, lo, hi) }
		return b
	}
	return l
}

// For runs the body over [0, n) on at most workers goroutines (0: the
// process default) in chunks that never split a multiple of grain (see
// parallel.For).
func (l *loop[A]) For(workers, n, grain int, args A) {
	b := l.pool.Get().(*boundLoop[A])
	b.args = args
	parallel.For(workers, n, grain, b.run)
	var zero A
	b.args = zero // the pool must not keep tensors' memory alive
	l.pool.Put(b)
}
