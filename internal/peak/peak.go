// Package peak measures how many floating-point operations per second the
// CPU can retire when it does nothing but fused multiply-adds, so that the
// benchmarks can report "% of peak" from a figure measured on the machine
// they run on instead of one quoted from a data sheet.
package peak

import "sync"

// chunkIters is how many loop iterations one call of the kernel runs: long
// enough (half a millisecond on a Zen 4 core) that the call overhead
// vanishes, short enough that a timed run of a second is many calls.
const chunkIters = 1 << 16

// FlopsPerChunk returns the floating-point operations (two per lane of each
// FMA) one worker performs in one chunk.
func FlopsPerChunk() float64 { return float64(chunkIters) * float64(kernel.flopsPerIter) }

// ISA names the instruction set the probe runs on this machine, such as
// "avx512" (zmm registers), "avx2" (ymm) or "go" (the portable loop).
func ISA() string { return kernel.name }

// Chunks runs n chunks of FMAs on each of the given number of goroutines at
// once and returns the total floating-point operations performed. It is
// the unit a benchmark's b.N loop repeats. It starts goroutines of its own
// rather than using internal/parallel, whose loops run a share inline when
// no worker is idle at that instant: a probe must never be serialised.
func Chunks(workers, n int) float64 {
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(func() { chunks(n) })
	}
	chunks(n)
	wg.Wait()
	return float64(workers) * float64(n) * FlopsPerChunk()
}

func chunks(n int) {
	for range n {
		kernel.run(chunkIters)
	}
}
