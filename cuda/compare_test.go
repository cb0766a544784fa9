//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// result is one output of an operation, compared between the devices with
// a relative tolerance, or element for element when tol is 0.
type result struct {
	name string
	t    *tensor.Tensor
	tol  float64
}

// compareCase runs operations on AlexNet-sized inputs made from seed on
// the host, so both devices see the same numbers, and returns the outputs.
type compareCase struct {
	name string
	run  func(dev tensor.Device, seed uint64) []result
}

// alexnet's layer geometry (D2L ch. 8.1, 224x224 inputs).
var (
	conv1 = tensor.Square(11, 4, 1)
	conv2 = tensor.Square(5, 1, 2)
	conv3 = tensor.Square(3, 1, 1)
	pool1 = tensor.Square(3, 2, 0)
)

// elements is a length that is odd and spans many grid-stride blocks.
const elements = 3_000_017

var compareCases = []compareCase{
	{"CopyOverlapping", func(dev tensor.Device, s uint64) []result {
		x, y := view(dev, s, -1, 1, 1000), view(dev, s+1, -1, 1, 1000)
		tensor.Copy(x.Slice(3, 1000), x.Slice(0, 997))
		tensor.Copy(y.Slice(0, 997), y.Slice(3, 1000))
		return []result{{"forward", x, 0}, {"backward", y, 0}}
	}},
	{"Axpy", func(dev tensor.Device, s uint64) []result {
		x, y := view(dev, s, -1, 1, elements), view(dev, s+1, -1, 1, elements)
		tensor.Axpy(-0.75, x, y)
		return []result{{"y", y, 1e-6}}
	}},
	{"ScaleMul", func(dev tensor.Device, s uint64) []result {
		x, y, z := view(dev, s, -1, 1, elements), view(dev, s+1, -1, 1, elements), view(dev, s+2, -1, 1, elements)
		tensor.Scale(x, 1.5)
		tensor.Mul(z, x, y)
		tensor.Mul(y, y, y)
		return []result{{"x", x, 0}, {"z", z, 0}, {"y", y, 0}}
	}},
	{"Binary", func(dev tensor.Device, s uint64) []result {
		x, y := view(dev, s, -1, 1, elements), view(dev, s+1, -1, 1, elements)
		sum, diff := tensor.Zeros(dev, elements), tensor.Zeros(dev, elements)
		tensor.Add(sum, x, y)
		tensor.Sub(diff, x, y)
		tensor.Sub(y, x, y)
		return []result{{"sum", sum, 0}, {"diff", diff, 0}, {"aliased", y, 0}}
	}},
	{"Unary", func(dev tensor.Device, s uint64) []result {
		x := view(dev, s, -10, 10, elements)
		dy, dexp, dsig := view(dev, s+1, -1, 1, elements), view(dev, s+2, -1, 1, elements), view(dev, s+3, -1, 1, elements)
		e, sig, th := tensor.Zeros(dev, elements), tensor.Zeros(dev, elements), tensor.Zeros(dev, elements)
		tensor.Exp(e, x)
		tensor.Sigmoid(sig, x)
		tensor.Tanh(th, x)
		// tensor has no ExpGrad (it is a Mul), so the device's is called.
		dev.UnaryGrad(tensor.OpExp, dexp, dexp, e)
		tensor.SigmoidGrad(dsig, dsig, sig)
		tensor.TanhGrad(dy, dy, th)
		tensor.Tanh(x, x)
		return []result{{"exp", e, 1e-6}, {"sigmoid", sig, 1e-6}, {"tanh", th, 1e-6}, {"aliased tanh", x, 1e-6},
			{"exp grad", dexp, 1e-6}, {"sigmoid grad", dsig, 1e-6}, {"tanh grad", dy, 1e-6}}
	}},
	{"ReduceAll", reduceCase([]int{elements}, tensor.AllAxes, 0)},
	{"ReduceRows", reduceCase([]int{4096, 10}, 1, -1)},
	{"ReduceColumns", reduceCase([]int{100, 7}, 0, -1)},
	{"ReduceMiddle", reduceCase([]int{3, 1000, 333}, 1, -1)},
	{"ReduceShortWide", reduceCase([]int{7, 3, 5000}, 1, -1)},
	{"ReduceLongNarrow", reduceCase([]int{200_000, 40}, 0, -1)},
	{"ReLU", func(dev tensor.Device, s uint64) []result {
		x, dy := view(dev, s, -1, 1, 4, 96, 54, 54), view(dev, s+1, -1, 1, 4, 96, 54, 54)
		y := tensor.Zeros(dev, x.Shape()...)
		tensor.ReLU(y, x)
		tensor.ReLUGrad(dy, dy, y)
		return []result{{"y", y, 0}, {"dx", dy, 0}}
	}},
	{"Im2colConv1", im2colCase([]int{4, 1, 224, 224}, conv1)},
	{"Im2colConv2", im2colCase([]int{2, 96, 26, 26}, conv2)},
	{"Im2colConv3", im2colCase([]int{2, 256, 12, 12}, conv3)},
	{"Col2imConv1", col2imCase([]int{4, 1, 224, 224}, conv1)},
	{"Col2imConv2", col2imCase([]int{2, 96, 26, 26}, conv2)},
	{"Col2imConv3", col2imCase([]int{2, 256, 12, 12}, conv3)},
	{"MaxPool", func(dev tensor.Device, s uint64) []result {
		// Values from a few integers, so windows hold ties.
		r := rand.New(rand.NewPCG(s, 1))
		xs := make([]float32, 4*96*54*54)
		for i := range xs {
			xs[i] = float32(r.IntN(7) - 3)
		}
		x := tensor.FromSlice(dev, xs, 4, 96, 54, 54)
		shape := tensor.PoolOut(x.Shape(), pool1)
		y, arg := tensor.Zeros(dev, shape...), tensor.New(dev, tensor.Int32, shape...)
		tensor.MaxPool(y, arg, x, pool1)
		dy := view(dev, s+1, -1, 1, shape...)
		dx := tensor.Zeros(dev, x.Shape()...)
		tensor.MaxPoolGrad(dx, dy, arg, pool1, nil)
		return []result{{"y", y, 0}, {"argmax", arg, 0}, {"dx", dx, 0}}
	}},
	{"MaxPoolGradOverlapping", func(dev tensor.Device, s uint64) []result {
		// Up to 25 windows hold each pixel, and ties are common: the
		// gather must add in the CPU's order, to the bit. x, a third
		// zeros, stands for the output of a ReLU before the pool.
		win := tensor.Square(5, 1, 2)
		r := rand.New(rand.NewPCG(s, 2))
		xs := make([]float32, 3*5*70*60)
		for i := range xs {
			xs[i] = float32(r.IntN(3))
		}
		x := tensor.FromSlice(dev, xs, 3, 5, 70, 60)
		shape := tensor.PoolOut(x.Shape(), win)
		y, arg := tensor.Zeros(dev, shape...), tensor.New(dev, tensor.Int32, shape...)
		tensor.MaxPool(y, arg, x, win)
		dx := tensor.Zeros(dev, x.Shape()...)
		tensor.MaxPoolGrad(dx, view(dev, s, -1, 1, shape...), arg, win, x)
		return []result{{"argmax", arg, 0}, {"dx", dx, 0}}
	}},
	{"AvgPool", avgPoolCase([]int{4, 96, 54, 54}, tensor.Square(3, 2, 1))},
	{"AvgPoolOverlapping", avgPoolCase([]int{3, 5, 37, 29}, tensor.Window{KH: 5, KW: 2, SH: 1, SW: 3, PH: 2, PW: 1})},
	{"BiasConv", func(dev tensor.Device, s uint64) []result {
		y, b := view(dev, s, -1, 1, 8, 96, 54, 54), view(dev, s+1, -1, 1, 96)
		db := view(dev, s+2, -1, 1, 96)
		tensor.BiasAdd(y, b)
		tensor.BiasGrad(db, y, 1)
		return []result{{"y", y, 0}, {"db", db, 1e-5}}
	}},
	{"BiasLinear", func(dev tensor.Device, s uint64) []result {
		y, b := view(dev, s, -1, 1, 128, 4096), view(dev, s+1, -1, 1, 4096)
		db := view(dev, s+2, -1, 1, 4096)
		tensor.BiasAdd(y, b)
		tensor.BiasGrad(db, y, 0) // db is written, not read
		return []result{{"y", y, 0}, {"db", db, 1e-5}}
	}},
	{"BatchNormConv", batchNormCase(8, 96, 27, 27)},
	{"BatchNormLinear", batchNormCase(128, 4096)},
	{"Dropout", func(dev tensor.Device, s uint64) []result {
		x := view(dev, s, -1, 1, 128, 4096)
		y, mask := tensor.Zeros(dev, x.Shape()...), tensor.Zeros(dev, x.Shape()...)
		tensor.Dropout(y, mask, x, 0.5, s)
		tensor.Dropout(x, x.Clone(), x, 0.3, s^0xabcdef)
		return []result{{"mask", mask, 0}, {"y", y, 0}, {"x", x, 0}}
	}},
	{"SoftmaxCrossEntropy", softmaxCase(128, 10)},
	{"SoftmaxCrossEntropyWide", softmaxCase(77, 1000)},
	{"SGD", func(dev tensor.Device, s uint64) []result {
		p, g, v := view(dev, s, -1, 1, elements), view(dev, s+1, -1, 1, elements), view(dev, s+2, -1, 1, elements)
		q := p.Clone()
		tensor.SGD(p, g, v, tensor.SGDOptions{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4})
		tensor.SGD(q, g, nil, tensor.SGDOptions{LR: 0.01})
		return []result{{"params", p, 1e-6}, {"velocity", v, 1e-6}, {"plain", q, 1e-6}}
	}},
	{"ResizeUint8", func(dev tensor.Device, s uint64) []result {
		src := tensor.FromSlice(dev, randBytes(rand.New(rand.NewPCG(s, 3)), 16*28*28), 16, 1, 28, 28)
		dst := tensor.Zeros(dev, 16, 1, 224, 224)
		tensor.Resize(dst, src)
		return []result{{"dst", dst, 1e-6}}
	}},
	{"ResizeFloat", func(dev tensor.Device, s uint64) []result {
		dst := tensor.Zeros(dev, 3, 2, 20, 91)
		tensor.Resize(dst, view(dev, s, -1, 1, 3, 2, 37, 53))
		return []result{{"dst", dst, 1e-6}}
	}},
}

func im2colCase(shape []int, w tensor.Window) func(tensor.Device, uint64) []result {
	return func(dev tensor.Device, s uint64) []result {
		cols := tensor.Zeros(dev, tensor.ConvOut(shape, w)...)
		tensor.Im2col(cols, view(dev, s, -1, 1, shape...), w)
		return []result{{"cols", cols, 0}}
	}
}

func col2imCase(shape []int, w tensor.Window) func(tensor.Device, uint64) []result {
	return func(dev tensor.Device, s uint64) []result {
		dx := tensor.Zeros(dev, shape...)
		tensor.Col2im(dx, view(dev, s, -1, 1, tensor.ConvOut(shape, w)...), w)
		return []result{{"dx", dx, 1e-6}}
	}
}

// reduceCase sums and maxes x of the given shape, with values in [lo, 1),
// over axis (or tensor.AllAxes).
func reduceCase(shape []int, axis int, lo float32) func(tensor.Device, uint64) []result {
	return func(dev tensor.Device, s uint64) []result {
		x := view(dev, s, lo, 1, shape...)
		out := []int{1}
		if axis != tensor.AllAxes {
			out = slices.Delete(slices.Clone(shape), axis, axis+1)
		}
		sum, mx := tensor.Zeros(dev, out...), tensor.Zeros(dev, out...)
		tensor.Sum(sum, x, axis)
		tensor.Max(mx, x, axis)
		return []result{{"sum", sum, 1e-5}, {"max", mx, 0}}
	}
}

// avgPoolCase pools x of the given shape over window w and takes the
// gradient of fresh values.
func avgPoolCase(shape []int, w tensor.Window) func(tensor.Device, uint64) []result {
	return func(dev tensor.Device, s uint64) []result {
		x := view(dev, s, -1, 1, shape...)
		out := tensor.PoolOut(shape, w)
		y, dx := tensor.Zeros(dev, out...), tensor.Zeros(dev, shape...)
		tensor.AvgPool(y, x, w)
		tensor.AvgPoolGrad(dx, view(dev, s+1, -1, 1, out...), w)
		return []result{{"y", y, 1e-6}, {"dx", dx, 1e-6}}
	}
}

// batchNormCase runs a training step of batch normalisation on x [shape]
// (its gradient overwriting dy), then evaluation with the running
// statistics it updated.
func batchNormCase(shape ...int) func(tensor.Device, uint64) []result {
	return func(dev tensor.Device, s uint64) []result {
		c := shape[1]
		a := tensor.BatchNormArgs{
			X: view(dev, s, -1, 3, shape...), Y: tensor.Zeros(dev, shape...),
			Scale: view(dev, s+1, 0.5, 2, c), Shift: view(dev, s+2, -1, 1, c),
			Mean: tensor.Zeros(dev, c), InvStd: tensor.Zeros(dev, c),
			RunningMean: view(dev, s+3, -1, 1, c), RunningVar: view(dev, s+4, 0.5, 2, c),
			Train: true, Eps: 1e-5, Momentum: 0.1,
			DY: view(dev, s+5, -1, 1, shape...), DScale: view(dev, s+6, -1, 1, c), DShift: view(dev, s+7, -1, 1, c),
		}
		a.DX = a.DY
		tensor.BatchNorm(&a)
		tensor.BatchNormGrad(&a)
		e := a
		e.Train, e.Y, e.Mean, e.InvStd = false, tensor.Zeros(dev, shape...), tensor.Zeros(dev, c), tensor.Zeros(dev, c)
		e.DY, e.DX = view(dev, s+8, -1, 1, shape...), tensor.Zeros(dev, shape...)
		tensor.BatchNorm(&e)
		tensor.BatchNormGrad(&e)
		return []result{{"y", a.Y, 1e-5}, {"mean", a.Mean, 1e-5}, {"invstd", a.InvStd, 1e-5},
			{"running mean", a.RunningMean, 1e-5}, {"running var", a.RunningVar, 1e-5}, {"dx", a.DX, 1e-5},
			{"eval y", e.Y, 1e-5}, {"eval invstd", e.InvStd, 1e-6}, {"eval dx", e.DX, 1e-5},
			{"dscale", a.DScale, 1e-5}, {"dshift", a.DShift, 1e-5}}
	}
}

func softmaxCase(n, k int) func(tensor.Device, uint64) []result {
	return func(dev tensor.Device, s uint64) []result {
		logits := view(dev, s, -8, 8, n, k)
		labels := tensor.FromSlice(dev, randInts(rand.New(rand.NewPCG(s, 4)), n, k), n)
		loss, correct := tensor.Zeros(dev, 1), tensor.New(dev, tensor.Int32, 1)
		dlogits := tensor.Zeros(dev, n, k)
		tensor.SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels)
		return []result{{"loss", loss, 1e-5}, {"correct", correct, 0}, {"dlogits", dlogits, 1e-5}}
	}
}

// TestMatchesCPU runs each case on the CPU and on the GPU and compares the
// outputs: floats by the relative norm of the difference (or exactly, for
// selections such as max-pool, ReLU and dropout), integers exactly.
func TestMatchesCPU(t *testing.T) {
	d := gpu(t)
	seed := testSeed(t)
	for i, c := range compareCases {
		t.Run(c.name, func(t *testing.T) {
			s := seed + uint64(i)*1000
			want, got := c.run(tensor.CPU(), s), c.run(d, s)
			for j, w := range want {
				compare(t, w.name, got[j].t, w.t, w.tol)
			}
		})
	}
}

// compare checks a GPU output against the CPU's.
func compare(t *testing.T, name string, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	if want.DType() == tensor.Int32 {
		if g, w := readInts(t, got), readInts(t, want); !slices.Equal(g, w) {
			t.Errorf("%s: %s", name, firstDiff(g, w))
		}
		return
	}
	g, w := devicetest.Floats(t, got), devicetest.Floats(t, want)
	if tol == 0 {
		if !slices.Equal(g, w) {
			t.Errorf("%s differs: %s", name, firstDiff(g, w))
		}
		return
	}
	if e := devicetest.RelErr(g, w); !(e <= tol) {
		t.Errorf("%s: relative error %.3g > %g (%s)", name, e, tol, firstDiff(g, w))
	}
}

// firstDiff describes the first element where got and want differ.
func firstDiff[T comparable](got, want []T) string {
	for i := range want {
		if got[i] != want[i] {
			return fmt.Sprintf("element %d: got %v, want %v", i, got[i], want[i])
		}
	}
	return "no element differs"
}

// TestDeterministic runs the reductions and gathers twice and requires the
// same bits: none of them may depend on scheduling.
func TestDeterministic(t *testing.T) {
	d := gpu(t)
	seed := testSeed(t)
	for _, name := range []string{"Col2imConv2", "MaxPool", "MaxPoolGradRandomArgmax", "BiasConv", "BiasLinear", "SoftmaxCrossEntropyWide",
		"ReduceAll", "ReduceMiddle", "ReduceLongNarrow", "AvgPoolOverlapping", "BatchNormConv", "BatchNormLinear"} {
		i := slices.IndexFunc(compareCases, func(c compareCase) bool { return c.name == name })
		t.Run(name, func(t *testing.T) {
			first, second := compareCases[i].run(d, seed), compareCases[i].run(d, seed)
			for j, r := range first {
				compare(t, r.name, second[j].t, r.t, 0)
			}
		})
	}
}

// bf16Compares are AlexNet's products at small batches, each as its layer
// calls Gemm: shapes that are not multiples of the tiles, K not a multiple
// of 16 (conv1's 121, 8 in fc3's weight gradient), every transpose but TT,
// separate and summed batches, and products split along k into slices.
var bf16Compares = []struct {
	name string
	g    tensor.GemmArgs
}{
	// conv1 forward per image: Y_i [96 x 2916] = W [96 x 121] * cols_i.
	{"conv1_96x2916x121_batch2", tensor.GemmArgs{M: 96, N: 2916, K: 121, Alpha: 1, LDA: 121, LDB: 2916, LDC: 2916,
		StrideB: 121 * 2916, StrideC: 96 * 2916, Batch: 2}},
	// conv2 forward: Y [256 x 676] = W [256 x 2400] * cols.
	{"conv2_256x676x2400", tensor.GemmArgs{M: 256, N: 676, K: 2400, Alpha: 1, LDA: 2400, LDB: 676, LDC: 676}},
	// conv2 column gradient: dcols [2400 x 676] = W^T * dY.
	{"conv2_dcols_2400x676x256_tn", tensor.GemmArgs{TransA: true, M: 2400, N: 676, K: 256, Alpha: 1, LDA: 2400,
		LDB: 676, LDC: 676}},
	// conv1 weight gradient, added to the gradient so far: dW += sum_i dY_i * cols_i^T.
	{"conv1_dW_96x121x2916_sum3", tensor.GemmArgs{TransB: true, M: 96, N: 121, K: 2916, Alpha: 1, Beta: 1,
		LDA: 2916, LDB: 2916, LDC: 121, StrideA: 96 * 2916, StrideB: 121 * 2916, Batch: 3}},
	// fc1 forward at batch 8: y [8 x 4096] = x [8 x 6400] * W^T.
	{"fc1_8x4096x6400_nt", tensor.GemmArgs{TransB: true, M: 8, N: 4096, K: 6400, Alpha: 1, LDA: 6400, LDB: 6400,
		LDC: 4096}},
	// fc3 weight gradient over 8 images, K below one mma's 16:
	// dW [10 x 4096] = dy^T [10 x 8] * x [8 x 4096].
	{"fc3_dW_10x4096x8_tn", tensor.GemmArgs{TransA: true, M: 10, N: 4096, K: 8, Alpha: 1, LDA: 10, LDB: 4096,
		LDC: 4096}},
}

// TestGemmBF16MatchesCPU runs BF16 products of AlexNet's shapes on the CPU
// and on the GPU. Both round the operands to bfloat16 in the same way, and
// products of bfloat16 values are exact in float32, so the results differ
// only in how each device sums terms (the products, alpha's and beta's
// terms) in float32: by at most terms*2^-24 of the sum of their magnitudes
// on the CPU, which rounds each addition to nearest, and twice that on
// the tensor cores, which may truncate. An element off by more than the
// sum of the two bounds is an error.
func TestGemmBF16MatchesCPU(t *testing.T) {
	d := gpu(t)
	if note, err := tensor.CPU().GemmPrecision(tensor.BF16); err != nil {
		t.Fatal(err)
	} else if note != "" {
		t.Log(note)
	}
	seed := testSeed(t)
	for i, c := range bf16Compares {
		t.Run(c.name, func(t *testing.T) {
			g := c.g
			g.Precision = tensor.BF16
			batch, cBatch := max(g.Batch, 1), max(g.Batch, 1)
			if g.StrideC == 0 {
				cBatch = 1
			}
			ar, ac, br, bc := g.M, g.K, g.K, g.N
			if g.TransA {
				ar, ac = ac, ar
			}
			if g.TransB {
				br, bc = bc, br
			}
			s := seed + uint64(i)*1000
			a := uniform(s, (batch-1)*g.StrideA+(ar-1)*g.LDA+ac)
			b := uniform(s+1, (batch-1)*g.StrideB+(br-1)*g.LDB+bc)
			c0 := uniform(s+2, (cBatch-1)*g.StrideC+(g.M-1)*g.LDC+g.N)
			run := func(dev tensor.Device) []float32 {
				h := g
				h.A, h.B, h.C = tensor.FromSlice(dev, a, len(a)), tensor.FromSlice(dev, b, len(b)), tensor.FromSlice(dev, c0, len(c0))
				tensor.Gemm(&h)
				return devicetest.Floats(t, h.C)
			}
			sumsAgree(t, &g, a, b, c0, run(d), run(tensor.CPU()))
		})
	}
}

// sumsAgree fails the test unless got and want, C after the BF16 product g
// of a, b and c0 (c0 C's former contents) on two devices, differ by no
// more than the order and rounding of their float32 sums allow (see
// TestGemmBF16MatchesCPU), and unless got keeps every element of C outside
// the product's matrices.
func sumsAgree(t *testing.T, g *tensor.GemmArgs, a, b, c0, got, want []float32) {
	t.Helper()
	batch, cBatch := max(g.Batch, 1), max(g.Batch, 1)
	if g.StrideC == 0 {
		cBatch = 1
	}
	// The magnitudes: the same product of the rounded operands' absolute
	// values, with |alpha| and |beta|.
	abs := func(x []float32) []float32 {
		y := roundBF16(x)
		for i, v := range y {
			y[i] = float32(math.Abs(float64(v)))
		}
		return y
	}
	ga := *g
	ga.Alpha, ga.Beta = float32(math.Abs(float64(g.Alpha))), float32(math.Abs(float64(g.Beta)))
	size := devicetest.GemmReference(&ga, abs(a), abs(b), abs(c0), cBatch)
	terms := float64(g.K + 2)
	if cBatch == 1 {
		terms = float64(batch*g.K + 2)
	}
	written := make([]bool, len(c0))
	worst := 0.0
	for z := range cBatch {
		for r := range g.M {
			for col := range g.N {
				idx := z*g.StrideC + r*g.LDC + col
				written[idx] = true
				bound := 3 * terms * 0x1p-24 * size[(z*g.M+r)*g.N+col]
				e := math.Abs(float64(got[idx]) - float64(want[idx]))
				if !(e <= bound) {
					t.Fatalf("C_%d[%d][%d] = %v on the GPU, %v on the CPU: %.3g apart, more than %.3g",
						z, r, col, got[idx], want[idx], e, bound)
				}
				worst = max(worst, e/bound)
			}
		}
	}
	for i, w := range written {
		if !w && math.Float32bits(got[i]) != math.Float32bits(c0[i]) {
			t.Fatalf("element %d of C, outside every matrix, changed from %v to %v", i, c0[i], got[i])
		}
	}
	t.Logf("largest difference: %.3g of the bound", worst)
}

// uniform returns n values uniform in [-1, 1) drawn from seed.
func uniform(seed uint64, n int) []float32 {
	x := make([]float32, n)
	tensor.FillUniform(x, seed, -1, 1)
	return x
}
