// Package peak measures how many floating-point operations per second the
// CPU can retire when it does nothing but multiply-adds, so that the
// benchmarks can report "% of peak" from a figure measured on the machine
// they run on instead of one quoted from a data sheet: FMA for float32
// products, and bfloat16 dot products for BF16 ones where the CPU has them
// (AMX's tiles, or else VDPBF16PS).
package peak

import "sync"

// chunkIters is how many loop iterations one call of a kernel runs: long
// enough (half a millisecond on a Zen 4 core) that the call overhead
// vanishes, short enough that a timed run of a second is many calls.
const chunkIters = 1 << 16

// Probe is one loop of multiply-adds.
type Probe struct{ k fmaKernel }

// FMA returns the widest float32 FMA loop this CPU runs.
func FMA() Probe { return Probe{fmaKernels[0]} }

// BF16 returns the fastest bfloat16 dot-product loop (AMX tiles where the
// process may use them, else VDPBF16PS), and false on a CPU with neither.
func BF16() (Probe, bool) {
	if bf16Kernel == nil {
		return Probe{}, false
	}
	return Probe{*bf16Kernel}, true
}

// ISA names the instruction set the FMA probe runs on this machine, such
// as "avx512" (zmm registers), "avx2" (ymm) or "go" (the portable loop).
func ISA() string { return FMA().Name() }

// Name names the probe's instruction set: "avx512", "avx2", "go",
// "avx512-bf16" or "amx-bf16".
func (p Probe) Name() string { return p.k.name }

// Instruction names the instruction the probe repeats: "FMA",
// "VDPBF16PS" or "TDPBF16PS".
func (p Probe) Instruction() string { return p.k.instr }

// FlopsPerChunk returns the floating-point operations (two per product)
// one worker performs in one chunk.
func (p Probe) FlopsPerChunk() float64 { return float64(chunkIters) * float64(p.k.flopsPerIter) }

// Chunks runs n chunks of the loop on each of the given number of
// goroutines at once and returns the total floating-point operations
// performed. It is the unit a benchmark's b.N loop repeats. It starts
// goroutines of its own rather than using internal/parallel, whose loops
// run a share inline when no worker is idle at that instant: a probe must
// never be serialised.
func (p Probe) Chunks(workers, n int) float64 {
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(func() { p.chunks(n) })
	}
	p.chunks(n)
	wg.Wait()
	return float64(workers) * float64(n) * p.FlopsPerChunk()
}

func (p Probe) chunks(n int) {
	for range n {
		p.k.run(chunkIters)
	}
}
