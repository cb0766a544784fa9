// Package parallel runs loops over a fixed pool of worker goroutines shared
// by the whole process: the GEMM and every CPU operation draw from it, so the
// number of busy threads never exceeds Workers() however the calls nest.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// task is one chunk of a For call, fn(lo, hi), or one of an Each call's
// takers, which runs fn(i, i+1) for each i it takes from g until g.n are
// taken.
type task struct {
	fn     func(lo, hi int)
	lo, hi int
	each   bool
	g      *group
}

// group is one For or Each call: it counts the tasks still running, the
// one that finishes last signalling done, and hands out an Each call's
// indices.
type group struct {
	pending atomic.Int32
	done    chan struct{} // buffered: the signal never blocks the sender
	next    atomic.Int64  // Each: the next index to take
	n       int           // Each: how many indices there are
}

var (
	workers atomic.Int32 // 0 means "not set": GOMAXPROCS at first use
	started atomic.Int32 // goroutines started so far; they never exit
	startMu sync.Mutex
	// tasks queues the chunks callers hand out. A caller that finds it full
	// runs the chunk itself, and a caller waiting for its chunks first runs
	// whatever is queued, so a loop nested inside a chunk never waits for a
	// worker that is itself waiting.
	tasks  = make(chan task, 1024)
	groups = sync.Pool{New: func() any { return &group{done: make(chan struct{}, 1)} }}
)

// Workers returns how many goroutines a loop is split over: the value given
// to SetWorkers, or GOMAXPROCS when none was given.
func Workers() int {
	if w := workers.Load(); w > 0 {
		return int(w)
	}
	return runtime.GOMAXPROCS(0)
}

// SetWorkers sets how many goroutines loops are split over. n < 1 restores
// the default (GOMAXPROCS).
func SetWorkers(n int) {
	if n < 1 {
		n = 0
	}
	workers.Store(int32(n))
}

func ensureStarted(n int) {
	if int(started.Load()) >= n {
		return
	}
	startMu.Lock()
	defer startMu.Unlock()
	for int(started.Load()) < n {
		go worker()
		started.Add(1)
	}
}

func worker() {
	for t := range tasks {
		t.run()
		// Loops come back to back (a GEMM per image), and waking a parked
		// goroutine takes longer than a small loop's chunk runs.
		spin(nil)
	}
}

// spinTime is how long spin goes on with nothing queued.
const spinTime = 50 * time.Microsecond

// spin runs queued chunks, anyone's, until g's chunks are all done (never,
// for a nil g) or spinTime passes with nothing queued.
func spin(g *group) {
	for end := time.Now().Add(spinTime); g == nil || g.pending.Load() != 0; {
		select {
		case t := <-tasks:
			t.run()
			end = time.Now().Add(spinTime)
		default:
			if !time.Now().Before(end) {
				return
			}
			runtime.Gosched()
		}
	}
}

func (t task) run() {
	if t.each {
		t.g.take(t.fn)
	} else {
		t.fn(t.lo, t.hi)
	}
	if t.g.pending.Add(-1) == 0 {
		t.g.done <- struct{}{}
	}
}

// take runs fn(i, i+1) for each index of an Each call it takes, until none
// is left.
func (g *group) take(fn func(lo, hi int)) {
	for {
		i := int(g.next.Add(1) - 1)
		if i >= g.n {
			return
		}
		fn(i, i+1)
	}
}

// resolve returns the worker count a loop asked for, or Workers() for
// workers < 1.
func resolve(workers int) int {
	if workers < 1 {
		return Workers()
	}
	return workers
}

// For splits [0, n) into at most workers contiguous chunks (Workers() for
// workers < 1) and runs fn on each, the first on the calling goroutine,
// and returns when all are done. However many workers a call asks for, the
// process's goroutines serve every caller.
// Chunks never split a multiple of grain (grain < 1 means 1), so callers can
// keep vector-width or cache-line alignment. Results must not depend on how
// the range is split: callers keep each output element's arithmetic inside
// one call of fn.
func For(workers, n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	units := (n + grain - 1) / grain
	chunks := min(resolve(workers), units)
	if chunks <= 1 {
		fn(0, n)
		return
	}
	g := start(chunks)
	bound := func(c int) int { return min(n, (units*c/chunks)*grain) }
	for c := 1; c < chunks; c++ {
		g.hand(task{fn: fn, lo: bound(c), hi: bound(c + 1), g: g})
	}
	fn(0, bound(1))
	g.wait()
}

// Each runs fn(i, i+1) for every i in [0, n) on at most workers
// goroutines (Workers() for workers < 1), the calling one among them, each taking the next index as
// it finishes the last. Where For gives each goroutine a fixed share, a
// goroutine slowed down (by another process, or by the embedding
// program's goroutines) then takes fewer and the others do not wait for
// it. It suits indices of a cost large beside an atomic add; which
// goroutine runs an index is not fixed, so fn(i, i+1)'s result must not
// depend on it. fn takes a range, as For's does, so one function can
// serve both.
func Each(workers, n int, fn func(lo, hi int)) {
	takers := min(resolve(workers), n)
	if takers <= 1 {
		for i := range n {
			fn(i, i+1)
		}
		return
	}
	g := start(takers)
	g.n = n
	g.next.Store(0)
	for range takers - 1 {
		g.hand(task{fn: fn, each: true, g: g})
	}
	g.take(fn)
	g.wait()
}

// start returns a pooled group for a call that hands tasks-1 tasks to the
// workers and runs one itself.
func start(tasks int) *group {
	ensureStarted(tasks - 1)
	g := groups.Get().(*group)
	g.pending.Store(int32(tasks - 1))
	return g
}

// hand queues t for a worker, or runs it at once when the queue is full.
func (g *group) hand(t task) {
	select {
	case tasks <- t:
	default:
		t.run()
	}
}

// wait returns once every task handed out has finished, and puts g back.
// It first runs what is queued, ours or another caller's, then waits for
// the tasks the workers took, spinning first: they are usually about to
// finish, and waking a parked goroutine takes longer. Once spin returns,
// none of our tasks is left in the queue, so blocking cannot wait on a
// task that no one runs.
func (g *group) wait() {
	spin(g)
	<-g.done
	groups.Put(g)
}
