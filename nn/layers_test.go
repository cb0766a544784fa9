package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// gradStart is what gradient views hold before a Backward, so the tests see
// that gradients are added to, not overwritten.
const gradStart = 0.5

// randHost returns n values drawn from [-1, 1) as tensor.RandUniform draws
// them, in float32 and float64.
func randHost(t *testing.T, seed uint64, shape ...int) ([]float32, []float64) {
	t.Helper()
	v, err := tensor.RandUniform(tensor.CPU(), seed, -1, 1, shape...).Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v, to64(v)
}

// attachRandom gives a standalone layer random parameters and gradient
// views on dev starting at gradStart, and returns the parameters in float64
// and the gradient tensors.
func attachRandom(t *testing.T, dev tensor.Device, l Layer) (params [][]float64, grads []*tensor.Tensor) {
	pl, ok := l.(Parametric)
	if !ok {
		return nil, nil
	}
	var vals []*tensor.Tensor
	for j, spec := range pl.ParamSpecs() {
		v32, _ := randHost(t, uint64(100+j), spec.Shape...)
		var g *tensor.Tensor
		if spec.State {
			// Positive, as a running variance must be.
			for i, v := range v32 {
				v32[i] = float32(math.Abs(float64(v))) + 0.5
			}
		} else {
			g = tensor.Zeros(dev, spec.Shape...)
			tensor.Fill(g, gradStart)
		}
		vals = append(vals, tensor.FromSlice(dev, v32, spec.Shape...))
		grads = append(grads, g)
		params = append(params, to64(v32))
	}
	pl.Attach(vals, grads)
	return params, grads
}

// checkLayer runs l on a random batch of n samples of shape in and checks
// its forward against refForward and its backward (input and parameter
// gradients of sum(y*r) for a random r) against central differences.
func checkLayer(t *testing.T, l Layer, n int, in []int, p Pass) {
	t.Helper()
	checkLayerOn(t, tensor.CPU(), l, n, in, p)
}

// checkLayerOn is checkLayer on device dev.
func checkLayerOn(t *testing.T, dev tensor.Device, l Layer, n int, in []int, p Pass) {
	t.Helper()
	out := l.Setup(in)
	xs := append([]int{n}, in...)
	x32, x64 := randHost(t, 1, xs...)
	params, grads := attachRandom(t, dev, l)

	want, ys := refForward(l, x64, xs, params, p)
	if !slices.Equal(ys[1:], out) {
		t.Fatalf("%v: Setup says %v per sample, reference gives %v", l, out, ys)
	}
	y := l.Forward(tensor.FromSlice(dev, x32, xs...), p)
	if !slices.Equal(y.Shape(), ys) {
		t.Fatalf("%v: output %v, want %v", l, y.Shape(), ys)
	}
	got, _ := y.Float32s()
	if i := closeTo(got, want, 1e-5); i >= 0 {
		t.Fatalf("%v: y[%d] = %v, want %v", l, i, got[i], want[i])
	}

	r32, r64 := randHost(t, 2, ys...)
	dx := l.Backward(tensor.FromSlice(dev, r32, ys...), true)
	loss := func() float64 {
		y, _ := refForward(l, x64, xs, params, p)
		return dot(y, r64)
	}
	if !slices.Equal(dx.Shape(), xs) {
		t.Fatalf("%v: dx %v, want %v", l, dx.Shape(), xs)
	}
	gotDX, _ := dx.Float32s()
	wantDX := centralDiff(x64, loss)
	if i := closeTo(gotDX, wantDX, 1e-4); i >= 0 {
		t.Errorf("%v: dx[%d] = %v, want %v", l, i, gotDX[i], wantDX[i])
	}
	for j, g := range grads {
		if g == nil {
			continue // state
		}
		gotG, _ := g.Float32s()
		wantG := centralDiff(params[j], loss)
		for i := range wantG {
			wantG[i] += gradStart
		}
		if i := closeTo(gotG, wantG, 1e-4); i >= 0 {
			t.Errorf("%v: param %d grad[%d] = %v, want %v", l, j, i, gotG[i], wantG[i])
		}
	}
}

// TestConv2d checks the layer both ways the CPU computes it: its implicit
// GEMM, and im2col with a GEMM.
func TestConv2d(t *testing.T) {
	for _, dev := range []tensor.Device{tensor.CPU(), tensor.NewCPU(0, tensor.CPUIm2colConv())} {
		for _, tc := range []struct {
			out int
			win tensor.Window
			n   int
			in  []int
		}{
			{4, tensor.Window{KH: 3, KW: 2, SH: 2, SW: 1, PH: 1, PW: 0}, 3, []int{3, 7, 6}},
			{3, tensor.Square(5, 1, 2), 2, []int{2, 6, 5}},
			{5, tensor.Square(1, 1, 0), 2, []int{3, 4, 3}},
			{2, tensor.Square(3, 4, 1), 1, []int{1, 11, 9}},
			{3, tensor.Window{KH: 2, KW: 3, SH: 1, SW: 2, PH: 3, PW: 1}, 2, []int{2, 4, 7}},
		} {
			c := NewConv2d(tc.out, tc.win)
			checkLayerOn(t, dev, c, tc.n, tc.in, Pass{})
		}
	}
}

// TestConv2dChunks makes the workspace hold two images' columns, so a batch
// of five runs as chunks of 2, 2 and 1, on a CPU set to convolve through
// im2col.
func TestConv2dChunks(t *testing.T) {
	c := NewConv2d(3, tensor.Window{KH: 2, KW: 3, SH: 1, SW: 2, PH: 1, PW: 1})
	in := []int{2, 5, 6}
	c.Setup(in)
	oh, ow := c.Window.Out(in[1], in[2])
	c.useWorkspace(NewWorkspace(2 * c.k * oh * ow * 4))
	if got := c.chunk(5, c.ws.Bytes); got != 2 {
		t.Fatalf("chunk of 5 images = %d, want 2", got)
	}
	checkLayerOn(t, tensor.NewCPU(0, tensor.CPUIm2colConv()), c, 5, in, Pass{})
}

func TestLinear(t *testing.T) {
	checkLayer(t, NewLinear(5), 3, []int{7}, Pass{})
	checkLayer(t, NewLinear(1), 1, []int{2}, Pass{})
}

func TestReLU(t *testing.T) {
	checkLayer(t, NewReLU(), 2, []int{3, 4, 5}, Pass{})
}

func TestMaxPool2d(t *testing.T) {
	checkLayer(t, NewMaxPool2d(tensor.Square(3, 2, 0)), 2, []int{2, 7, 8}, Pass{})
	checkLayer(t, NewMaxPool2d(tensor.Window{KH: 2, KW: 3, SH: 1, SW: 2, PH: 1, PW: 1}), 2, []int{3, 5, 6}, Pass{})
}

func TestDropout(t *testing.T) {
	checkLayer(t, NewDropout(0.3), 3, []int{40}, Pass{Train: true, Seed: 42})
	checkLayer(t, NewDropout(0.5), 2, []int{3, 5}, Pass{Train: false, Seed: 42})
}

func TestSigmoid(t *testing.T) {
	checkLayer(t, NewSigmoid(), 2, []int{3, 4, 5}, Pass{})
}

func TestTanh(t *testing.T) {
	checkLayer(t, NewTanh(), 3, []int{7}, Pass{})
}

func TestAvgPool2d(t *testing.T) {
	checkLayer(t, NewAvgPool2d(tensor.Square(2, 2, 0)), 2, []int{2, 6, 7}, Pass{})
	checkLayer(t, NewAvgPool2d(tensor.Window{KH: 3, KW: 2, SH: 2, SW: 1, PH: 1, PW: 1}), 2, []int{3, 5, 6}, Pass{})
	checkLayer(t, NewGlobalAvgPool2d(), 2, []int{3, 5, 7}, Pass{})
}

// TestGlobalAvgPool2d checks that the global pool gives each channel's
// mean for whatever map size it was last set up for.
func TestGlobalAvgPool2d(t *testing.T) {
	l := NewGlobalAvgPool2d()
	for _, in := range [][]int{{2, 3, 4}, {3, 1, 6}, {1, 13, 13}} {
		if out := l.Setup(in); !slices.Equal(out, []int{in[0], 1, 1}) {
			t.Fatalf("%v: Setup(%v) = %v, want [%d 1 1]", l, in, out, in[0])
		}
		xs := append([]int{2}, in...)
		x32, x64 := randHost(t, 3, xs...)
		got, _ := l.Forward(tensor.FromSlice(tensor.CPU(), x32, xs...), Pass{}).Float32s()
		plane := in[1] * in[2]
		for i := range got {
			var sum float64
			for _, v := range x64[i*plane : (i+1)*plane] {
				sum += v
			}
			if want := sum / float64(plane); math.Abs(float64(got[i])-want) > 1e-6 {
				t.Fatalf("%v on %v: mean %d is %v, want %v", l, xs, i, got[i], want)
			}
		}
	}
}

func TestBatchNorm(t *testing.T) {
	for _, train := range []bool{true, false} {
		checkLayer(t, NewBatchNorm2d(), 3, []int{2, 4, 5}, Pass{Train: train})
		checkLayer(t, NewBatchNorm1d(), 5, []int{4}, Pass{Train: train})
		checkLayer(t, NewBatchNorm1d(), 2, []int{3, 6}, Pass{Train: train})
	}
}

// TestBatchNormState checks that training steps update the running
// statistics as PyTorch does and count the batches, and that evaluation
// changes neither.
func TestBatchNormState(t *testing.T) {
	bn := NewBatchNorm1d()
	in := []int{3}
	bn.Setup(in)
	params, _ := attachRandom(t, tensor.CPU(), bn)
	rm, rv := slices.Clone(params[2]), slices.Clone(params[3])
	for step := range 3 {
		x32, x64 := randHost(t, uint64(10+step), 4, 3)
		bn.Forward(tensor.FromSlice(tensor.CPU(), x32, 4, 3), Pass{Train: true})
		for ch := range 3 {
			var mean, sq float64
			for i := range 4 {
				mean += x64[i*3+ch] / 4
			}
			for i := range 4 {
				sq += (x64[i*3+ch] - mean) * (x64[i*3+ch] - mean)
			}
			rm[ch] = 0.9*rm[ch] + 0.1*mean
			rv[ch] = 0.9*rv[ch] + 0.1*sq/3 // unbiased
		}
	}
	x32, _ := randHost(t, 20, 4, 3)
	bn.Forward(tensor.FromSlice(tensor.CPU(), x32, 4, 3), Pass{})
	gotM, _ := bn.runMean.Float32s()
	gotV, _ := bn.runVar.Float32s()
	count, _ := bn.batches.Float32s()
	if i := closeTo(gotM, rm, 1e-6); i >= 0 {
		t.Errorf("running_mean[%d] = %v, want %v", i, gotM[i], rm[i])
	}
	if i := closeTo(gotV, rv, 1e-6); i >= 0 {
		t.Errorf("running_var[%d] = %v, want %v", i, gotV[i], rv[i])
	}
	if want := float32(params[4][0]) + 3; count[0] != want {
		t.Errorf("num_batches_tracked = %v, want %v", count[0], want)
	}
}

func TestFlatten(t *testing.T) {
	checkLayer(t, NewFlatten(), 2, []int{3, 2, 4}, Pass{})
}

// TestWindowTooLarge checks that a kernel larger than the padded input is
// refused rather than rounded up to one output.
func TestWindowTooLarge(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Setup accepted a 3x3 pool over a 2x2 map")
		}
	}()
	NewMaxPool2d(tensor.Square(3, 2, 0)).Setup([]int{4, 2, 2})
}

// TestDropoutShares checks that the shares of a batch, each run with its
// offset in the whole, drop what the whole batch drops.
func TestDropoutShares(t *testing.T) {
	whole, half := NewDropout(0.5), NewDropout(0.5)
	whole.Setup([]int{3, 5})
	half.Setup([]int{3, 5})
	x32, _ := randHost(t, 3, 4, 3, 5)
	want, _ := whole.Forward(tensor.FromSlice(tensor.CPU(), x32, 4, 3, 5), Pass{Train: true, Seed: 9}).Float32s()
	for _, r := range []int{0, 2} {
		got, _ := half.Forward(tensor.FromSlice(tensor.CPU(), x32[r*15:(r+2)*15], 2, 3, 5), Pass{Train: true, Seed: 9, Offset: r}).Float32s()
		if !slices.Equal(got, want[r*15:(r+2)*15]) {
			t.Fatalf("samples %d-%d: %v, want %v", r, r+1, got, want[r*15:(r+2)*15])
		}
	}
}
