package parallel

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForCoversEachIndexOnce(t *testing.T) {
	defer SetWorkers(0)
	for _, w := range []int{1, 2, 3, 7} {
		SetWorkers(w)
		for _, n := range []int{1, 2, 5, 64, 1000} {
			for _, grain := range []int{0, 1, 3, 16} {
				hits := make([]int32, n)
				For(0, n, grain, func(lo, hi int) {
					if g := max(grain, 1); lo%g != 0 {
						t.Errorf("workers %d, n %d, grain %d: chunk starts at %d", w, n, grain, lo)
					}
					for i := lo; i < hi; i++ {
						atomic.AddInt32(&hits[i], 1)
					}
				})
				for i, h := range hits {
					if h != 1 {
						t.Fatalf("workers %d, n %d, grain %d: index %d ran %d times", w, n, grain, i, h)
					}
				}
			}
		}
	}
}

func TestEachRunsEachIndexOnce(t *testing.T) {
	defer SetWorkers(0)
	for _, w := range []int{1, 2, 3, 7} {
		SetWorkers(w)
		for _, n := range []int{0, 1, 2, 5, 64} {
			hits := make([]int32, n)
			Each(0, n, func(lo, hi int) {
				if hi != lo+1 {
					t.Errorf("workers %d, n %d: range [%d, %d), want one index", w, n, lo, hi)
				}
				atomic.AddInt32(&hits[lo], 1)
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("workers %d, n %d: index %d ran %d times", w, n, i, h)
				}
			}
		}
	}
}

// A taker that stalls must not hold up the indices: the others take them
// all while it waits.
func TestEachRoutesAroundAStalledTaker(t *testing.T) {
	defer SetWorkers(0)
	SetWorkers(2)
	const n = 50
	release := make(chan struct{})
	var ran atomic.Int32
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		Each(0, n, func(lo, hi int) {
			stall := false
			once.Do(func() { stall = true })
			if stall {
				<-release // the first taker holds its index until the rest are done
			}
			if ran.Add(1) == n-1 {
				close(release)
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the other taker did not take the remaining indices")
	}
}

// Every chunk of a call must be able to run at the same time as the
// others: each waits for all of them to start. A call that ran a chunk
// inline after another (as when a worker is momentarily not waiting for
// work) would time out here.
func TestForRunsChunksConcurrently(t *testing.T) {
	defer SetWorkers(0)
	SetWorkers(2)
	for call := range 500 {
		var arrived sync.WaitGroup
		arrived.Add(2)
		all := make(chan struct{})
		go func() { arrived.Wait(); close(all) }()
		var late atomic.Bool
		For(0, 2, 1, func(lo, hi int) {
			arrived.Done()
			select {
			case <-all:
			case <-time.After(5 * time.Second):
				late.Store(true)
			}
		})
		if late.Load() {
			t.Fatalf("call %d: the two chunks did not run at the same time", call)
		}
	}
}

func TestNestedForCompletes(t *testing.T) {
	defer SetWorkers(0)
	SetWorkers(3)
	var total atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		For(0, 6, 1, func(lo, hi int) {
			for range hi - lo {
				For(0, 100, 1, func(lo, hi int) { total.Add(int64(hi - lo)) })
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("nested loops did not finish")
	}
	if got := total.Load(); got != 600 {
		t.Fatalf("nested loops covered %d indices, want 600", got)
	}
}

// TestForWorkers checks that a call's own worker count decides its split,
// whatever the process default.
func TestForWorkers(t *testing.T) {
	defer SetWorkers(0)
	SetWorkers(1)
	for _, w := range []int{1, 3, 5} {
		var chunks atomic.Int32
		For(w, 100, 1, func(lo, hi int) { chunks.Add(1) })
		if got := chunks.Load(); int(got) != w {
			t.Errorf("For over %d workers ran %d chunks", w, got)
		}
	}
	var chunks atomic.Int32
	For(0, 100, 1, func(lo, hi int) { chunks.Add(1) })
	if chunks.Load() != 1 {
		t.Errorf("For over the default of 1 ran %d chunks", chunks.Load())
	}
}
