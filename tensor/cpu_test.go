package tensor_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/internal/parallel"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
	"github.com/tensorforge/tensorforge/tensor/gemm"
)

// withWorkers runs fn with the worker pool split n ways, then restores the
// default.
func withWorkers(n int, fn func()) {
	parallel.SetWorkers(n)
	defer parallel.SetWorkers(0)
	fn()
}

// TestCPUConformance runs the conformance suite on CPU devices of their
// own worker counts, whatever the process default is.
func TestCPUConformance(t *testing.T) {
	counts := []int{1, 3}
	if testing.Short() {
		// Several workers take every parallel path; one adds only the
		// single-chunk case.
		counts = counts[1:]
	}
	for _, w := range counts {
		t.Run(fmt.Sprintf("workers%d", w), func(t *testing.T) {
			dev := tensor.NewCPU(w)
			if got, ok := tensor.CPUWorkers(dev); got != w || !ok {
				t.Fatalf("CPUWorkers = %d, %v; want %d", got, ok, w)
			}
			devicetest.Run(t, dev, devicetest.Tolerances{Gemm: 1e-5, Other: 1e-5})
		})
	}
}

// TestCPUDevicesApart checks that tensors of two CPU devices are not mixed
// in one operation, as those of any two devices are not.
func TestCPUDevicesApart(t *testing.T) {
	a, b := tensor.Zeros(tensor.NewCPU(1), 3), tensor.Zeros(tensor.CPU(), 3)
	mustPanic(t, func() { tensor.Axpy(1, a, b) }, "Axpy", "devices")
	if _, ok := tensor.CPUWorkers(nil); ok {
		t.Error("CPUWorkers of no device")
	}
}

// TestCPUWorkerCountInvariance checks that the operations that reduce run
// the same arithmetic, to the bit, however many workers share them.
func TestCPUWorkerCountInvariance(t *testing.T) {
	dev := tensor.CPU()
	x := tensor.RandNormal(dev, 1, 0, 1, 3, 5, 19, 17)
	win := tensor.Square(3, 2, 1)
	cols := tensor.RandNormal(dev, 2, 0, 1, tensor.ConvOut(x.Shape(), win)...)
	dy := tensor.RandNormal(dev, 3, 0, 1, 64, 37, 9, 5)
	logits := tensor.RandNormal(dev, 4, 0, 3, 301, 10)
	labelData := make([]int32, 301)
	for i := range labelData {
		labelData[i] = int32(i * 7 % 10)
	}
	labels := tensor.FromSlice(dev, labelData, 301)
	pooled := tensor.Zeros(dev, tensor.PoolOut(x.Shape(), tensor.Square(3, 2, 0))...)
	argmax := tensor.New(dev, tensor.Int32, pooled.Shape()...)
	tensor.MaxPool(pooled, argmax, x, tensor.Square(3, 2, 0))
	a := tensor.RandNormal(dev, 5, 0, 1, 4, 37, 129)
	b := tensor.RandNormal(dev, 6, 0, 1, 4, 61, 129)
	// Long enough that Reduce splits the reduced axis into blocks.
	long := tensor.RandNormal(dev, 7, 0, 1, 3, 50001, 5)
	bnX := tensor.RandNormal(dev, 8, 1, 2, 64, 37, 9, 5)

	run := func() [][]float32 {
		db := tensor.Zeros(dev, 37)
		tensor.BiasGrad(db, dy, 1)
		dx := tensor.Zeros(dev, x.Shape()...)
		tensor.Col2im(dx, cols, win)
		loss, correct := tensor.Zeros(dev, 1), tensor.New(dev, tensor.Int32, 1)
		dlogits := tensor.Zeros(dev, logits.Shape()...)
		tensor.SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels)
		dpool := tensor.Zeros(dev, x.Shape()...)
		tensor.MaxPoolGrad(dpool, pooled, argmax, tensor.Square(3, 2, 0), x)
		// A weight gradient: the batch summed into one C.
		c := tensor.Zeros(dev, 37, 61)
		tensor.Gemm(&tensor.GemmArgs{TransB: true, M: 37, N: 61, K: 129, Alpha: 1, A: a, B: b, C: c,
			LDA: 129, LDB: 129, LDC: 61, StrideA: 37 * 129, StrideB: 61 * 129, Batch: 4})
		total, perRow := tensor.Zeros(dev, 1), tensor.Zeros(dev, 3, 5)
		tensor.Sum(total, long, tensor.AllAxes)
		tensor.Sum(perRow, long, 1)
		davg := tensor.Zeros(dev, x.Shape()...)
		tensor.AvgPoolGrad(davg, pooled, tensor.Square(3, 2, 0))
		runVar := tensor.Zeros(dev, 37)
		tensor.Fill(runVar, 1)
		bn := &tensor.BatchNormArgs{X: bnX, Y: tensor.Zeros(dev, bnX.Shape()...),
			Scale: tensor.RandNormal(dev, 9, 1, 0.1, 37), Shift: tensor.RandNormal(dev, 10, 0, 1, 37),
			Mean: tensor.Zeros(dev, 37), InvStd: tensor.Zeros(dev, 37),
			RunningMean: tensor.Zeros(dev, 37), RunningVar: runVar,
			Train: true, Eps: 1e-5, Momentum: 0.1,
			DY: dy, DX: tensor.Zeros(dev, dy.Shape()...), DScale: tensor.Zeros(dev, 37), DShift: tensor.Zeros(dev, 37)}
		tensor.BatchNorm(bn)
		tensor.BatchNormGrad(bn)
		var out [][]float32
		for _, t := range []*tensor.Tensor{db, dx, loss, dlogits, dpool, c, total, perRow, davg,
			bn.Y, bn.Mean, bn.InvStd, bn.RunningMean, bn.RunningVar, bn.DX, bn.DScale, bn.DShift} {
			v, _ := t.Float32s()
			out = append(out, v)
		}
		return out
	}
	var want [][]float32
	withWorkers(1, func() { want = run() })
	for _, w := range []int{2, 3, 7} {
		var got [][]float32
		withWorkers(w, func() { got = run() })
		for i := range want {
			for j := range want[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("output %d element %d: %v with %d workers, %v with 1", i, j, got[i][j], w, want[i][j])
				}
			}
		}
	}
}

// TestCPUNoAllocs checks that the device's per-step operations allocate
// nothing once warm, with the work split over workers. It calls the device
// directly: the package-level functions' shape checks are not under test.
func TestCPUNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	dev := tensor.CPU()
	x := tensor.RandNormal(dev, 1, 0, 1, 2, 3, 16, 16)
	win := tensor.Square(3, 1, 1)
	cols := tensor.Zeros(dev, tensor.ConvOut(x.Shape(), win)...)
	pw := tensor.Square(3, 2, 0)
	y := tensor.Zeros(dev, tensor.PoolOut(x.Shape(), pw)...)
	argmax := tensor.New(dev, tensor.Int32, y.Shape()...)
	logits := tensor.RandNormal(dev, 2, 0, 1, 64, 10)
	labels := tensor.FromSlice(dev, make([]int32, 64), 64)
	loss, correct, dlogits := tensor.Zeros(dev, 1), tensor.New(dev, tensor.Int32, 1), tensor.Zeros(dev, 64, 10)
	p, g, v := tensor.RandNormal(dev, 3, 0, 1, 10000), tensor.RandNormal(dev, 4, 0, 1, 10000), tensor.Zeros(dev, 10000)
	b := tensor.Zeros(dev, 3)
	img := tensor.New(dev, tensor.Uint8, 2, 1, 28, 28)
	big := tensor.Zeros(dev, 2, 1, 56, 56)
	long, sum := tensor.Zeros(dev, 100003), tensor.Zeros(dev, 1)
	rows := tensor.Zeros(dev, 2, 16)
	// The direct convolution's products: the data gradient through its
	// view (stride 1) and through columns (stride 2), the weight
	// gradient's small products gathered before they run.
	dc := dev.(tensor.DirectConv)
	cw, cdw, cb := tensor.RandNormal(dev, 5, 0, 1, 8, 27), tensor.Zeros(dev, 8, 27), tensor.Zeros(dev, 8)
	cy, cdx := tensor.Zeros(dev, 2, 8, 16, 16), tensor.Zeros(dev, x.Shape()...)
	stride := tensor.Square(3, 2, 1)
	sy := tensor.Zeros(dev, 2, 8, 8, 8)
	fx := tensor.RandNormal(dev, 6, 0, 1, 18, 3, 4, 4)
	fy, fdx := tensor.Zeros(dev, 18, 8, 4, 4), tensor.Zeros(dev, fx.Shape()...)
	fy16 := tensor.New(dev, tensor.BFloat16, fy.Shape()...)
	// Bfloat16 activations: a convolution's output, a pool's input and
	// its mask.
	cy16 := tensor.New(dev, tensor.BFloat16, cy.Shape()...)
	x16 := tensor.New(dev, tensor.BFloat16, x.Shape()...)
	y16 := tensor.New(dev, tensor.BFloat16, y.Shape()...)
	bn := &tensor.BatchNormArgs{X: x, Y: tensor.Zeros(dev, x.Shape()...), Scale: b, Shift: b,
		Mean: tensor.Zeros(dev, 3), InvStd: tensor.Zeros(dev, 3), RunningMean: tensor.Zeros(dev, 3), RunningVar: tensor.Zeros(dev, 3),
		Train: true, Eps: 1e-5, Momentum: 0.1, DY: x, DX: tensor.Zeros(dev, x.Shape()...), DScale: b, DShift: b}
	ops := map[string]func(){
		"Im2col":              func() { dev.Im2col(cols, x, win) },
		"Col2im":              func() { dev.Col2im(x, cols, win) },
		"MaxPool":             func() { dev.MaxPool(y, argmax, x, pw) },
		"MaxPoolGrad":         func() { dev.MaxPoolGrad(x, y, argmax, pw, nil) },
		"BiasAdd":             func() { dev.BiasAdd(x, b) },
		"BiasGrad":            func() { dev.BiasGrad(b, x, 0) },
		"ReLU":                func() { dev.ReLU(x, x) },
		"Dropout":             func() { dev.Dropout(p, v, p, 0.5, 1) },
		"SoftmaxCrossEntropy": func() { dev.SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels) },
		"SGD":                 func() { dev.SGD(p, g, v, tensor.SGDOptions{LR: 0.1, Momentum: 0.9}) },
		"Resize":              func() { dev.Resize(big, img) },
		"Unary":               func() { dev.Unary(tensor.OpTanh, p, p) },
		"UnaryGrad":           func() { dev.UnaryGrad(tensor.OpSigmoid, g, g, p) },
		"Binary":              func() { dev.Binary(tensor.OpAdd, v, p, g) },
		// Over a long axis, Reduce splits it into blocks and sums them
		// through its scratch buffer.
		"ReduceAll":            func() { dev.Reduce(tensor.OpSum, sum, long, 1, long.Len(), 1) },
		"ReduceAxis":           func() { dev.Reduce(tensor.OpMax, rows, x, 2, 3*16, 16) },
		"ReduceRows":           func() { dev.Reduce(tensor.OpSum, rows, x, 32, 3*16, 1) },
		"AvgPool":              func() { dev.AvgPool(y, x, pw) },
		"AvgPoolGrad":          func() { dev.AvgPoolGrad(x, y, pw) },
		"BatchNorm":            func() { dev.BatchNorm(bn) },
		"BatchNormGrad":        func() { dev.BatchNormGrad(bn) },
		"ConvForward":          func() { dc.ConvForward(cy, x, cw, cb, win, tensor.FP32, true) },
		"ConvForwardBF16":      func() { dc.ConvForward(cy, x, cw, cb, win, tensor.BF16, false) },
		"ConvDataGrad":         func() { dc.ConvDataGrad(cdx, cy, cw, win, tensor.FP32, x) },
		"ConvDataGradStrided":  func() { dc.ConvDataGrad(cdx, sy, cw, stride, tensor.FP32, nil) },
		"ConvWeightGrad":       func() { dc.ConvWeightGrad(cdw, cy, x, win, tensor.FP32, 1) },
		"ConvForwardToBF16":    func() { dc.ConvForward(cy16, x, cw, cb, win, tensor.BF16, true) },
		"MaxPoolOfBF16":        func() { dev.MaxPool(y, argmax, x16, pw) },
		"MaxPoolGradBF16Mask":  func() { dev.MaxPoolGrad(x, y, argmax, pw, x16) },
		"MaxPoolToBF16":        func() { dev.MaxPool(y16, argmax, x, pw) },
		"ConvForwardOfBF16":    func() { dc.ConvForward(cy, x16, cw, cb, win, tensor.BF16, false) },
		"ConvWeightGradOfBF16": func() { dc.ConvWeightGrad(cdw, cy, x16, win, tensor.BF16, 0) },
		"ConvDataGradBF16Mask": func() { dc.ConvDataGrad(cdx, cy, cw, win, tensor.BF16, x16) },
		// A small map's images folded several to a product (see foldOf):
		// groups of 8 and one of 2.
		"ConvForwardFolded":     func() { dc.ConvForward(fy, fx, cw, cb, win, tensor.FP32, true) },
		"ConvForwardFoldedBF16": func() { dc.ConvForward(fy16, fx, cw, cb, win, tensor.BF16, true) },
		"ConvDataGradFolded":    func() { dc.ConvDataGrad(fdx, fy, cw, win, tensor.FP32, fx) },
		"ConvWeightGradFolded":  func() { dc.ConvWeightGrad(cdw, fy, fx, win, tensor.FP32, 0) },
	}
	withWorkers(2, func() {
		for name, op := range ops {
			op()
			if n := testing.AllocsPerRun(20, op); n != 0 {
				t.Errorf("%s: %v allocations per call", name, n)
			}
		}
	})
}

// TestCPUPrecisions checks that the CPU runs both precisions and says when
// BF16 runs on its pure-Go fallback: exactly when the CPU (or the purego
// build) has no AVX512_BF16 kernels.
func TestCPUPrecisions(t *testing.T) {
	dev := tensor.NewCPU(1)
	for _, p := range tensor.Precisions {
		note, err := dev.GemmPrecision(p)
		if err != nil {
			t.Errorf("%v: %v", p, err)
		}
		if wantNote := p == tensor.BF16 && !gemm.HasBF16Instructions(); (note != "") != wantNote {
			t.Errorf("%v: note %q", p, note)
		}
	}
	if _, err := dev.GemmPrecision(tensor.Precision(9)); err == nil {
		t.Error("no error for an unknown precision")
	}
	for _, s := range []string{"fp32", "bf16"} {
		if p, err := tensor.ParsePrecision(s); err != nil || p.String() != s {
			t.Errorf("ParsePrecision(%q) = %v, %v", s, p, err)
		}
	}
	if _, err := tensor.ParsePrecision("fp16"); err == nil || !strings.Contains(err.Error(), "fp32 or bf16") {
		t.Errorf("ParsePrecision(fp16): %v", err)
	}
}

// TestViewsBounded checks that the CPU's convolutions hold at most
// maxViews views however many geometries they meet, and still compute
// each one right past the bound.
func TestViewsBounded(t *testing.T) {
	dev := tensor.NewCPU(1)
	for i := range tensor.MaxViews + 8 {
		h := 3 + i%40
		w := 3 + i/40
		x := tensor.RandUniform(dev, uint64(i), -1, 1, 1, 1, h, w)
		wt := tensor.FromSlice(dev, []float32{1}, 1, 1)
		y := tensor.Zeros(dev, 1, 1, h, w)
		tensor.ConvForward(y, x, wt, nil, tensor.Square(1, 1, 0), tensor.FP32, false)
		got, _ := y.Float32s()
		want, _ := x.Float32s()
		if !slices.Equal(got, want) {
			t.Fatalf("geometry %dx%d: a 1x1 convolution by 1 changed its input", h, w)
		}
	}
	if n := tensor.HeldViews(); n > tensor.MaxViews {
		t.Errorf("%d views held, want at most %d", n, tensor.MaxViews)
	}
}

// TestOpenCPUConvEnv checks that CPUConvEnv picks the CPU's convolution,
// and that a value it does not know is an error naming it.
func TestOpenCPUConvEnv(t *testing.T) {
	for _, c := range []struct {
		value  string
		direct bool
	}{{"", true}, {"direct", true}, {"im2col", false}} {
		t.Setenv(tensor.CPUConvEnv, c.value)
		dev, err := tensor.OpenCPU(3)
		if err != nil {
			t.Fatalf("%s=%q: %v", tensor.CPUConvEnv, c.value, err)
		}
		if got := tensor.HasDirectConv(dev); got != c.direct {
			t.Errorf("%s=%q: direct convolution %v, want %v", tensor.CPUConvEnv, c.value, got, c.direct)
		}
		if n, _ := tensor.CPUWorkers(dev); n != 3 {
			t.Errorf("%s=%q: %d workers, want 3", tensor.CPUConvEnv, c.value, n)
		}
	}
	t.Setenv(tensor.CPUConvEnv, "winograd")
	if _, err := tensor.OpenCPU(0); err == nil || !strings.Contains(err.Error(), `"winograd"`) || !strings.Contains(err.Error(), tensor.CPUConvEnv) {
		t.Errorf("an unknown value: error %v, want one naming it and %s", err, tensor.CPUConvEnv)
	}
	if _, err := tensor.Open("cpu"); err == nil {
		t.Error(`Open("cpu") took an unknown value`)
	}
}
