// Package peak measures how many floating-point operations per second the
// CPU can retire when it does nothing but fused multiply-adds, so that the
// benchmarks can report "% of peak" from a figure measured on the machine
// they run on instead of one quoted from a data sheet.
package peak

import (
	"time"

	"github.com/tensorforge/tensorforge/internal/parallel"
)

// chunkIters is how many loop iterations one call of the kernel runs: long
// enough (about a millisecond) that the call overhead vanishes, short enough
// that a timed run of a few hundred milliseconds is many calls.
const chunkIters = 1 << 16

// FlopsPerChunk returns the floating-point operations (two per lane of each
// FMA) one worker performs in one chunk.
func FlopsPerChunk() float64 { return float64(chunkIters) * float64(kernel.flopsPerIter) }

// ISA names the instruction set the probe runs on this machine, such as
// "avx512" (zmm registers), "avx2" (ymm) or "go" (the portable loop).
func ISA() string { return kernel.name }

// Chunks runs n chunks of FMAs on each of the given number of workers of
// internal/parallel at once and returns the total floating-point operations
// performed. It is the unit a benchmark's b.N loop repeats.
func Chunks(workers, n int) float64 {
	parallel.For(workers, 1, func(lo, hi int) {
		for range hi - lo {
			for range n {
				kernel.run(chunkIters)
			}
		}
	})
	return float64(workers) * float64(n) * FlopsPerChunk()
}

// CPU measures the FMA throughput in GFLOP/s of the given number of workers
// running at once (workers < 1 means parallel.Workers()), for about the
// given duration. It takes the best of several rounds, since on a shared
// machine interruptions only ever lower the figure.
func CPU(workers int, d time.Duration) float64 {
	if workers < 1 {
		workers = parallel.Workers()
	}
	// Calibrate a round to about a tenth of d.
	n := 1
	for {
		start := time.Now()
		Chunks(workers, n)
		if el := time.Since(start); el >= d/10 || n >= 1<<20 {
			break
		}
		n *= 2
	}
	best := 0.0
	deadline := time.Now().Add(d)
	for round := 0; round < 3 || time.Now().Before(deadline); round++ {
		start := time.Now()
		flops := Chunks(workers, n)
		best = max(best, flops/time.Since(start).Seconds()/1e9)
	}
	return best
}
