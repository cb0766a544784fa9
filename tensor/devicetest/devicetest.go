// Package devicetest is the conformance suite every tensor.Device must
// pass. Run checks each operation, through the package-level functions of
// tensor, against plain float64 references on fresh random inputs with odd
// and size-1 shapes, with every tensor a view into a larger allocation whose
// guard values must survive untouched.
//
// A device package runs it from a test:
//
//	func TestConformance(t *testing.T) {
//		devicetest.Run(t, dev, devicetest.Tolerances{Gemm: 1e-5, Other: 1e-5})
//	}
//
// The inputs come from a seed taken from the clock and logged; set
// DEVICETEST_SEED to that value to replay a failure.
package devicetest

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/tensor"
)

// Tolerances bounds the relative error ||got-want|| / ||want|| (Euclidean
// norms over one output) that the suite accepts for floating-point results.
// Integer results (argmax, correct counts) and dropout masks must match
// exactly whatever the tolerances.
type Tolerances struct {
	// Gemm applies to products computed by Gemm: about 5e-3 for TF32
	// tensor cores, 1e-5 for exact FP32.
	Gemm float64
	// Other applies to every other operation.
	Other float64
}

// SeedEnv names the environment variable that, when set, replaces the
// clock-derived seed so a failing run can be replayed.
const SeedEnv = "DEVICETEST_SEED"

// Run checks every operation of dev, each in a sub-test named for it.
func Run(t *testing.T, dev tensor.Device, tol Tolerances) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(SeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", SeedEnv, s, err)
		}
		seed = v
	}
	t.Logf("device %s, seed %d (replay with %s=%d)", dev.Name(), seed, SeedEnv, seed)
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// Each operation draws from a stream of its own, so one
			// sub-test replays alone under -run.
			h := fnv.New64a()
			h.Write([]byte(op.name))
			c := &checker{t: t, dev: dev, tol: tol, rng: rand.New(rand.NewPCG(seed, h.Sum64()))}
			op.run(c)
			if err := dev.Sync(); err != nil {
				t.Fatalf("device error: %v", err)
			}
		})
	}
}

// ops lists the sub-tests in the order Run runs them.
var ops = []struct {
	name string
	run  func(c *checker)
}{
	{"WriteRead", testWriteRead},
	{"Views", testViews},
	{"Fill", testFill},
	{"Copy", testCopy},
	{"Concat", testConcat},
	{"Split", testSplit},
	{"Axpy", testAxpy},
	{"Scale", testScale},
	{"Add", testBinary(tensor.Add, func(x, y float64) float64 { return x + y })},
	{"Sub", testBinary(tensor.Sub, func(x, y float64) float64 { return x - y })},
	{"Mul", testBinary(tensor.Mul, func(x, y float64) float64 { return x * y })},
	{"Exp", testUnary(tensor.Exp, math.Exp)},
	{"Sigmoid", testUnary(tensor.Sigmoid, sigmoid64)},
	{"Tanh", testUnary(tensor.Tanh, math.Tanh)},
	{"ExpGrad", testUnaryGrad(tensor.ExpGrad, math.Exp, func(y float64) float64 { return y })},
	{"SigmoidGrad", testUnaryGrad(tensor.SigmoidGrad, sigmoid64, func(y float64) float64 { return y * (1 - y) })},
	{"TanhGrad", testUnaryGrad(tensor.TanhGrad, math.Tanh, func(y float64) float64 { return 1 - y*y })},
	{"Sum", testSum},
	{"Max", testMax},
	{"MaxNaN", testMaxNaN},
	{"Gemm", gemmIn(tensor.FP32, testGemm)},
	{"GemmBatched", gemmIn(tensor.FP32, testGemmBatched)},
	{"GemmBF16", gemmIn(tensor.BF16, testGemm)},
	{"GemmBatchedBF16", gemmIn(tensor.BF16, testGemmBatched)},
	{"Im2col", testIm2col},
	{"Col2im", testCol2im},
	{"DirectConv", directConvIn(tensor.FP32)},
	{"DirectConvBF16", directConvIn(tensor.BF16)},
	{"BiasAdd", testBiasAdd},
	{"BiasGrad", testBiasGrad},
	{"ReLU", testReLU},
	{"ReLUGrad", testReLUGrad},
	{"MaxPool", testMaxPool},
	{"MaxPoolGrad", testMaxPoolGrad},
	{"BF16Activations", testBF16Activations},
	{"AvgPool", testAvgPool},
	{"AvgPoolGrad", testAvgPoolGrad},
	{"BatchNorm", testBatchNorm},
	{"BatchNormGrad", testBatchNormGrad},
	{"Dropout", testDropout},
	{"SoftmaxCrossEntropy", testSoftmaxCrossEntropy},
	{"SGD", testSGD},
	{"Resize", testResize},
}
