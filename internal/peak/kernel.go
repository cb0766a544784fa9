package peak

// fmaKernel is one implementation of the probe's inner loop.
type fmaKernel struct {
	name  string
	instr string // the instruction it repeats: "FMA", "VDPBF16PS", "TDPBF16PS"
	// run performs iters iterations of flopsPerIter operations each.
	run          func(iters int)
	flopsPerIter int
}

// goKernel is the portable loop: eight independent scalar chains of
// multiply-adds. It measures what scalar Go reaches, not the machine's
// vector peak.
var goKernel = fmaKernel{name: "go", instr: "FMA", run: fmaGo, flopsPerIter: 8 * 2}

// fmaKernels are the FMA loops this CPU runs, widest first; bf16Kernel
// is its fastest bfloat16 loop, nil where the CPU has none.
var fmaKernels, bf16Kernel = available()

// sink keeps the compiler from discarding the portable loop's results.
var sink float32

func fmaGo(iters int) {
	// a = a*0.5 + 0.5 converges to 1: every step depends on the last, so
	// nothing can be hoisted out of the loop, and no value ever overflows.
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	const x, y = 0.5, 0.5
	for range iters {
		a0 = a0*x + y
		a1 = a1*x + y
		a2 = a2*x + y
		a3 = a3*x + y
		a4 = a4*x + y
		a5 = a5*x + y
		a6 = a6*x + y
		a7 = a7*x + y
	}
	sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
}
