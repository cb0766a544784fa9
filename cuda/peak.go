//go:build cuda

package cuda

// The peak probes of kernels/peak.cu: arithmetic alone, no memory traffic,
// so the benchmarks can state every other kernel's speed as a share of what
// this GPU measurably does.

const (
	// peakFMAChains and peakMMAChains are PEAK_FMA_CHAINS and
	// PEAK_MMA_CHAINS of kernels/peak.cu.
	peakFMAChains = 8
	peakMMAChains = 8
	// flopsPerMMATF32 is one m16n8k8 product: 16*8*8 multiply-adds;
	// flopsPerMMABF16 one m16n8k16.
	flopsPerMMATF32 = 2 * 16 * 8 * 8
	flopsPerMMABF16 = 2 * 16 * 8 * 16
	// Launch sizes: 2048 resident threads per SM (the most an A100 or H100
	// holds) for the FMA probe, 32 warps per SM for the mma probe, and
	// iterations for a few milliseconds per launch on an H100.
	peakFMABlocksPerSM = 8
	peakMMABlocksPerSM = 4
	peakThreads        = 256
	peakFMAIters       = 1 << 15
	peakMMAIters       = 1 << 14
)

// Probe is one peak kernel sized for a device: Run queues one launch, and
// FLOPs is the arithmetic that launch performs. Time it with Sync.
type Probe struct {
	// FLOPs is the work of one Run, counting a multiply-add as 2.
	FLOPs float64

	d      *Device
	op     string
	kernel string
	blocks int
	args   []any
}

// PeakFP32 returns the FP32 FMA probe: independent fmaf chains on every
// thread of every SM.
func (d *Device) PeakFP32() Probe {
	blocks := d.sms * peakFMABlocksPerSM
	return Probe{
		FLOPs: float64(blocks*peakThreads) * peakFMAIters * peakFMAChains * 2,
		d:     d, op: "PeakFP32", kernel: "peak_fma_f32", blocks: blocks,
		args: []any{float32(0.5), float32(0.25), peakFMAIters},
	}
}

// PeakTF32 returns the TF32 tensor-core probe: independent mma.sync m16n8k8
// chains, the instruction of the TF32 GEMM, on every warp of every SM.
func (d *Device) PeakTF32() Probe { return d.mmaProbe("PeakTF32", "peak_mma_tf32", flopsPerMMATF32) }

// PeakBF16 returns the BF16 tensor-core probe: independent mma.sync
// m16n8k16 chains, the instruction of the BF16 GEMM, on every warp of
// every SM.
func (d *Device) PeakBF16() Probe { return d.mmaProbe("PeakBF16", "peak_mma_bf16", flopsPerMMABF16) }

// mmaProbe sizes one of the mma probes of kernels/peak.cu, whose kernels
// take the same arguments, for flops per instruction.
func (d *Device) mmaProbe(op, kernel string, flops float64) Probe {
	blocks := d.sms * peakMMABlocksPerSM
	return Probe{
		FLOPs: float64(blocks*peakThreads/32) * peakMMAIters * peakMMAChains * flops,
		d:     d, op: op, kernel: kernel, blocks: blocks,
		args: []any{float32(1e-3), peakMMAIters},
	}
}

// Run queues one launch. Its output, one float per thread that only keeps
// the compiler from dropping the arithmetic, goes back to the pool at once:
// the stream runs in order, so the memory's next user waits for the kernel.
func (p Probe) Run() {
	d := p.d
	d.do(p.op, func() {
		ptr, class := d.alloc(int64(p.blocks) * peakThreads * 4)
		defer d.release(ptr, class)
		d.launch(p.kernel, dim3{p.blocks, 1, 1}, dim3{peakThreads, 1, 1}, 0, append([]any{ptr}, p.args...)...)
	})
}
