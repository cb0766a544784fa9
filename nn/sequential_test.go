package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// tinyNet is a small network with every kind of layer, in AlexNet's order.
func tinyNet() *Sequential {
	return NewSequential(
		NewConv2d(4, tensor.Square(3, 2, 1)), NewReLU(), NewMaxPool2d(tensor.Square(2, 2, 0)),
		NewConv2d(3, tensor.Square(2, 1, 1)), NewReLU(),
		NewFlatten(),
		NewLinear(6), NewReLU(), NewDropout(0.5),
		NewLinear(3),
	)
}

// foldNet has a ReLU between two convolutions: on a device with a direct
// convolution the first applies it and the second's data gradient applies
// its gradient (see Sequential.fuse).
func foldNet() *Sequential {
	return NewSequential(
		NewConv2d(3, tensor.Square(3, 1, 1)), NewReLU(),
		NewConv2d(2, tensor.Window{KH: 3, KW: 2, SH: 1, SW: 1, PH: 1, PW: 0}),
		NewFlatten(), NewLinear(3),
	)
}

func TestSequentialShapesAndNames(t *testing.T) {
	net := tinyNet()
	// [2, 9, 9] -conv k3 s2 p1-> [4, 5, 5] -pool 2/2-> [4, 2, 2]
	// -conv k2 s1 p1-> [3, 3, 3] -flatten-> [27] -> [6] -> [3]
	if out := net.Setup([]int{2, 9, 9}); !slices.Equal(out, []int{3}) {
		t.Fatalf("output sample %v, want [3]", out)
	}
	net.Build(tensor.CPU(), []int{2, 9, 9}, BuildOptions{Seed: 7})
	want := []struct {
		name  string
		shape []int
	}{
		{"0.weight", []int{4, 2, 3, 3}}, {"0.bias", []int{4}},
		{"3.weight", []int{3, 4, 2, 2}}, {"3.bias", []int{3}},
		{"6.weight", []int{6, 27}}, {"6.bias", []int{6}},
		{"9.weight", []int{3, 6}}, {"9.bias", []int{3}},
	}
	params := net.Params()
	if len(params) != len(want) {
		t.Fatalf("%d params, want %d", len(params), len(want))
	}
	off := 0
	arena, grads := net.Arena()
	for i, p := range params {
		if p.Name != want[i].name || !slices.Equal(p.Value.Shape(), want[i].shape) || !slices.Equal(p.Grad.Shape(), want[i].shape) {
			t.Errorf("param %d: %s %v, want %s %v", i, p.Name, p.Value.Shape(), want[i].name, want[i].shape)
		}
		if p.Value.Storage() != arena.Storage() || p.Grad.Storage() != grads.Storage() || p.Value.Offset() != off {
			t.Errorf("param %s is not the arena's view at offset %d", p.Name, off)
		}
		off += p.Value.Len()
	}
	if arena.Len() != off {
		t.Errorf("arena of %d for %d parameters", arena.Len(), off)
	}
	rows := net.Summary()
	if got := fmt.Sprint(rows[3].Out, rows[5].Out, rows[6].Params); got != "[3 3 3] [27] 168" {
		t.Errorf("summary rows: %s", got)
	}
}

// TestInit checks Xavier-uniform weights within their bound, spread over
// it, reproducible from the seed, and zero biases.
func TestInit(t *testing.T) {
	build := func(seed uint64) []Param {
		net := tinyNet()
		net.Build(tensor.CPU(), []int{2, 9, 9}, BuildOptions{Seed: seed})
		return net.Params()
	}
	a, b, c := build(1), build(1), build(2)
	for i, p := range a {
		va, _ := p.Value.Float32s()
		vb, _ := b[i].Value.Float32s()
		vc, _ := c[i].Value.Float32s()
		if !slices.Equal(va, vb) {
			t.Errorf("%s differs between two builds with one seed", p.Name)
		}
		if i%2 == 1 {
			if slices.ContainsFunc(va, func(v float32) bool { return v != 0 }) {
				t.Errorf("%s is not zero", p.Name)
			}
			continue
		}
		if slices.Equal(va, vc) {
			t.Errorf("%s is the same for seeds 1 and 2", p.Name)
		}
		sh := p.Value.Shape()
		fanIn, fanOut := numel(sh[1:]), sh[0]*numel(sh[2:])
		bound := math.Sqrt(6 / float64(fanIn+fanOut))
		lo, hi := slices.Min(va), slices.Max(va)
		if float64(lo) < -bound || float64(hi) > bound || float64(hi-lo) < bound {
			t.Errorf("%s in [%v, %v], want spread over ±%v", p.Name, lo, hi, bound)
		}
	}
}

// cpuKinds are the two ways a CPU device computes convolutions: its
// implicit GEMM, with the ReLUs folded into them, and im2col with a GEMM,
// in chunks of images.
var cpuKinds = []struct {
	name string
	dev  tensor.Device
}{{"direct", tensor.CPU()}, {"im2col", tensor.NewCPU(0, tensor.CPUIm2colConv())}}

// TestSequentialGradients checks a whole training backward, loss included,
// against central differences of the float64 reference network:
// convolutions both ways, in-place ReLUs and an active dropout together.
func TestSequentialGradients(t *testing.T) {
	for _, k := range cpuKinds {
		t.Run(k.name, func(t *testing.T) { checkGradients(t, tinyNet(), k.dev, tensor.FP32, 1e-5, 1e-4) })
		t.Run(k.name+"/folds", func(t *testing.T) { checkGradients(t, foldNet(), k.dev, tensor.FP32, 1e-5, 1e-4) })
	}
}

// TestSequentialGradientsBF16 checks the same in BF16, whose products
// round both operands to 8 bits of significand: relative errors of up to
// 2^-7 a product, to a few 2^-8 over the sums of the forward and backward
// passes.
func TestSequentialGradientsBF16(t *testing.T) {
	for _, k := range cpuKinds {
		t.Run(k.name, func(t *testing.T) { checkGradients(t, tinyNet(), k.dev, tensor.BF16, 1e-2, 3e-2) })
	}
}

// checkGradients builds net on dev in precision p and checks its loss,
// within lossTol, and its gradients, within gradTol (see closeTo), against
// the float64 reference network.
func checkGradients(t *testing.T, net *Sequential, dev tensor.Device, p tensor.Precision, lossTol, gradTol float64) {
	const n = 3
	in := []int{2, 9, 9}
	net.Build(dev, in, BuildOptions{Seed: 3, Precision: p})
	if net.Precision() != p {
		t.Fatalf("built in %v, want %v", net.Precision(), p)
	}
	net.Workspace().Bytes = 2 * 18 * 25 * 4 // conv 0 unfolds two images at a time
	xs := append([]int{n}, in...)
	x32, x64 := randHost(t, 5, xs...)
	labels := []int32{2, 0, 1}
	pass := Pass{Train: true, Seed: 11}

	params := make([][]float64, len(net.Params()))
	for i, p := range net.Params() {
		v, _ := p.Value.Float32s()
		params[i] = to64(v)
	}
	refLoss := func() float64 {
		h, hs, _ := refLayers(net.Layers(), x64, xs, params, pass)
		return refCrossEntropy(h, labels, hs[1])
	}

	net.ZeroGrad()
	var ce CrossEntropy
	loss, _ := ce.Forward(net.Forward(tensor.FromSlice(dev, x32, xs...), pass), tensor.FromSlice(dev, labels, n), true)
	net.Backward(ce.Backward())
	got, _ := loss.Float32s()
	if want := refLoss(); math.Abs(float64(got[0])-want) > lossTol {
		t.Fatalf("loss %v, want %v", got[0], want)
	}
	for i, p := range net.Params() {
		g, _ := p.Grad.Float32s()
		want := centralDiff(params[i], refLoss)
		if j := closeTo(g, want, gradTol); j >= 0 {
			t.Errorf("%s grad[%d] = %v, want %v", p.Name, j, g[j], want[j])
		}
	}
}

// normNet is a small network of the layers the book's later nets add:
// batch normalisation, sigmoid, tanh and average pooling.
func normNet() *Sequential {
	return NewSequential(
		NewConv2d(4, tensor.Square(3, 1, 1)), NewBatchNorm2d(), NewSigmoid(), NewAvgPool2d(tensor.Square(2, 2, 0)),
		NewFlatten(),
		NewLinear(6), NewBatchNorm1d(), NewTanh(),
		NewLinear(3),
	)
}

// TestTrainStepAllocs checks that a training step allocates nothing once
// the first has made its buffers, and that a smaller last batch reuses them.
func TestTrainStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for name, net := range map[string]*Sequential{"tiny": tinyNet(), "norm": normNet(), "residual": resNet(true), "concat": inceptionNet(), "dense": denseNet()} {
		t.Run(name, func(t *testing.T) { checkTrainStepAllocs(t, net, tensor.FP32) })
	}
	// A convolution's output stored in bfloat16 (see roundOutputs).
	t.Run("tiny/bf16", func(t *testing.T) { checkTrainStepAllocs(t, tinyNet(), tensor.BF16) })
}

func checkTrainStepAllocs(t *testing.T, net *Sequential, p tensor.Precision) {
	dev := tensor.CPU()
	in := []int{2, 9, 9}
	net.Build(dev, in, BuildOptions{Seed: 1, Precision: p})
	params, grads := net.Arena()
	opt := NewSGD(params, grads, tensor.SGDOptions{LR: 0.01, Momentum: 0.9})
	var ce CrossEntropy
	x := tensor.RandUniform(dev, 1, 0, 1, append([]int{4}, in...)...)
	labels := tensor.FromSlice(dev, []int32{0, 1, 2, 0}, 4)
	var step uint64
	train := func(x, labels *tensor.Tensor) {
		net.ZeroGrad()
		ce.Forward(net.Forward(x, Pass{Train: true, Seed: step}), labels, true)
		net.Backward(ce.Backward())
		opt.Step()
		step++
	}
	train(x, labels)
	if n := testing.AllocsPerRun(5, func() { train(x, labels) }); n != 0 {
		t.Errorf("training step: %v allocations", n)
	}
	full, _ := grads.Float32s()
	small, smallLabels := x.Slice(0, 3), labels.Slice(0, 3)
	train(small, smallLabels)
	train(x, labels)
	if n := testing.AllocsPerRun(5, func() { train(x, labels) }); n != 0 {
		t.Errorf("training step after a smaller batch: %v allocations", n)
	}
	if !slices.ContainsFunc(full, func(v float32) bool { return v != 0 }) {
		t.Error("no gradient reached the arena")
	}
}

// poolNet has AlexNet's pattern of convolutions before max-pools: one
// whose pool feeds a convolution, one whose pool feeds a Linear layer.
func poolNet() *Sequential {
	return NewSequential(
		NewConv2d(3, tensor.Square(3, 1, 1)), NewReLU(), NewMaxPool2d(tensor.Square(3, 2, 0)),
		NewConv2d(4, tensor.Square(3, 1, 1)), NewReLU(), NewMaxPool2d(tensor.Square(2, 2, 0)),
		NewFlatten(), NewLinear(8), NewReLU(),
	)
}

// TestRoundOutputs checks which outputs of convolutions and max-pools a
// network stores in bfloat16 (only a BF16 one's, on a device with
// bfloat16 activations and its direct convolution, and only where products,
// pools and masks alone read them), and that such a network computes what
// the same one does through im2col, which stores nothing rounded: the same
// loss and gradients, but for the order of the data gradient's sums.
func TestRoundOutputs(t *testing.T) {
	in := []int{2, 11, 11}
	build := func(net *Sequential, dev tensor.Device, p tensor.Precision) []bool {
		net.Build(dev, in, BuildOptions{Seed: 7, Precision: p})
		var rounded []bool
		for _, l := range net.Layers() {
			switch l := l.(type) {
			case *Conv2d:
				rounded = append(rounded, bool(l.rounded))
			case *MaxPool2d:
				rounded = append(rounded, bool(l.rounded))
			}
		}
		return rounded
	}
	for _, c := range []struct {
		name string
		net  *Sequential
		dev  tensor.Device
		p    tensor.Precision
		want []bool
	}{
		// conv, pool (to a conv), conv, pool (to a Linear layer)
		{"bf16", poolNet(), tensor.CPU(), tensor.BF16, []bool{true, true, true, false}},
		{"fp32", poolNet(), tensor.CPU(), tensor.FP32, []bool{false, false, false, false}},
		{"im2col", poolNet(), cpuKinds[1].dev, tensor.BF16, []bool{false, false, false, false}},
		// conv, pool, conv (to a ReLU that computes)
		{"tiny", tinyNet(), tensor.CPU(), tensor.BF16, []bool{true, true, false}},
		// conv (to a conv), conv
		{"folds", foldNet(), tensor.CPU(), tensor.BF16, []bool{true, false}},
	} {
		if got := build(c.net, c.dev, c.p); !slices.Equal(got, c.want) {
			t.Errorf("%s: convolutions and pools stored rounded %v, want %v", c.name, got, c.want)
		}
	}
	// A ReLU between a pool and the next convolution computes on the
	// pool's output, so neither the pool nor the convolution before
	// store theirs rounded.
	open := NewSequential(NewConv2d(3, tensor.Square(3, 1, 1)), NewReLU(), NewMaxPool2d(tensor.Square(3, 2, 0)), NewReLU(), NewConv2d(2, tensor.Square(1, 1, 0)))
	if got := build(open, tensor.CPU(), tensor.BF16); !slices.Equal(got, []bool{false, false, false}) {
		t.Errorf("a pool before a ReLU: stored rounded %v, want none", got)
	}

	step := func(dev tensor.Device) (loss float32, grads []float32) {
		net := poolNet()
		net.Build(dev, in, BuildOptions{Seed: 7, Precision: tensor.BF16})
		x := tensor.RandUniform(dev, 3, -1, 1, append([]int{5}, in...)...)
		labels := tensor.FromSlice(dev, []int32{0, 7, 2, 5, 1}, 5)
		var ce CrossEntropy
		net.ZeroGrad()
		l, _ := ce.Forward(net.Forward(x, Pass{Train: true}), labels, true)
		net.Backward(ce.Backward())
		if dev == tensor.CPU() {
			for _, i := range []int{0, 2, 3} {
				if got := outputType(net.Layers()[i]); got != tensor.BFloat16 {
					t.Errorf("layer %d (%v) wrote %v, want bfloat16", i, net.Layers()[i], got)
				}
			}
		}
		lv, _ := l.Float32s()
		_, g := net.Arena()
		gv, _ := g.Float32s()
		return lv[0], gv
	}
	loss, grads := step(tensor.CPU())
	wantLoss, wantGrads := step(cpuKinds[1].dev)
	if math.Abs(float64(loss-wantLoss)) > 1e-6*math.Abs(float64(wantLoss)) {
		t.Errorf("loss %v, want %v", loss, wantLoss)
	}
	if j := closeTo(grads, to64(wantGrads), 1e-4); j >= 0 {
		t.Errorf("gradient %d is %v, want %v", j, grads[j], wantGrads[j])
	}
}

// TestInputGradsShared checks that the layers' input gradients take turns
// in the network's two buffers, each as large as the largest it holds,
// and that Footprint counts those buffers.
func TestInputGradsShared(t *testing.T) {
	net := tinyNet()
	dev := tensor.CPU()
	in := []int{2, 9, 9}
	net.Build(dev, in, BuildOptions{Seed: 1})
	const n = 4
	var ce CrossEntropy
	ce.Forward(net.Forward(tensor.RandUniform(dev, 1, 0, 1, append([]int{n}, in...)...), Pass{Train: true}), tensor.FromSlice(dev, []int32{0, 1, 2, 0}, n), true)
	net.Backward(ce.Backward())
	var largest [2]int
	slot := 0
	for i := len(net.Layers()) - 1; i > 0; i-- {
		w, ok := net.Layers()[i].(gradWriter)
		if !ok {
			continue
		}
		dx := w.inputGrad().view
		if dx == nil || dx.Storage() != net.dx.bufs[slot].Storage() {
			t.Fatalf("layer %d (%v): input gradient not in buffer %d", i, net.Layers()[i], slot)
		}
		largest[slot] = max(largest[slot], dx.Len())
		slot = 1 - slot
	}
	for i, b := range net.dx.bufs {
		if b.Len() != largest[i] {
			t.Errorf("buffer %d holds %d elements, want the largest gradient in it, %d", i, b.Len(), largest[i])
		}
	}
	var act int64
	for _, l := range net.Layers() {
		act += l.Cost().ActivationBytes
	}
	if got, want := net.Footprint(dev, n, BuildOptions{}), net.ParamBytes(BuildOptions{})+n*act+4*int64(largest[0]+largest[1]); got != want {
		t.Errorf("Footprint %d, want %d", got, want)
	}
}

// TestSameBitsAnyWorkers checks that a training step gives the same loss
// and gradients, to the bit, on CPU devices of 1, 2 and 3 workers, in
// both precisions: BF16's activations stored in bfloat16 included. The
// network is poolNet's pattern with every product large enough to be
// split over the workers.
func TestSameBitsAnyWorkers(t *testing.T) {
	in := []int{8, 32, 32}
	step := func(dev tensor.Device, p tensor.Precision) []float32 {
		net := NewSequential(
			NewConv2d(32, tensor.Square(3, 1, 1)), NewReLU(), NewMaxPool2d(tensor.Square(3, 2, 0)),
			NewConv2d(48, tensor.Square(3, 1, 1)), NewReLU(), NewMaxPool2d(tensor.Square(3, 2, 0)),
			NewFlatten(), NewLinear(10),
		)
		net.Build(dev, in, BuildOptions{Seed: 5, Precision: p})
		x := tensor.RandUniform(dev, 4, -1, 1, append([]int{6}, in...)...)
		labels := tensor.FromSlice(dev, []int32{3, 1, 4, 1, 5, 7}, 6)
		var ce CrossEntropy
		net.ZeroGrad()
		loss, _ := ce.Forward(net.Forward(x, Pass{Train: true, Seed: 9}), labels, true)
		net.Backward(ce.Backward())
		l, _ := loss.Float32s()
		_, g := net.Arena()
		gv, _ := g.Float32s()
		return append(gv, l...)
	}
	for _, p := range tensor.Precisions {
		want := step(tensor.NewCPU(1), p)
		for _, w := range []int{2, 3} {
			got := step(tensor.NewCPU(w), p)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Errorf("%v, %d workers: gradient or loss element %d is %v, with 1 worker %v", p, w, i, got[i], want[i])
					break
				}
			}
		}
	}
}

// outputType returns the dtype of the last output of a convolution or a
// max-pool.
func outputType(l Layer) tensor.DType {
	switch l := l.(type) {
	case *Conv2d:
		return l.y.view.DType()
	case *MaxPool2d:
		return l.y.view.DType()
	}
	return tensor.Float32
}

// TestWorkspaceSizedOnce checks that the shared workspace is sized for the
// hungriest convolution before the first runs, so no layer replaces it
// halfway through a step.
func TestWorkspaceSizedOnce(t *testing.T) {
	net := NewSequential(
		NewConv2d(2, tensor.Square(1, 1, 0)), // 1x25 columns per image
		NewConv2d(4, tensor.Square(3, 1, 1)), // 18x25 columns per image
		NewFlatten(), NewLinear(3),
	)
	in := []int{1, 5, 5}
	dev := tensor.NewCPU(0, tensor.CPUIm2colConv()) // the CPU's own convolution needs no workspace
	net.Build(dev, in, BuildOptions{Seed: 1})
	x := tensor.RandUniform(dev, 1, 0, 1, append([]int{5}, in...)...)
	net.Forward(x, Pass{})
	buf := net.Workspace().buf
	if want := 5 * 18 * 25; buf.Len() != want {
		t.Errorf("workspace of %d elements, want %d", buf.Len(), want)
	}
	net.Backward(tensor.Zeros(dev, 5, 3))
	net.Forward(x, Pass{})
	if net.Workspace().buf != buf {
		t.Error("the workspace was replaced during a step")
	}
}

// counter is a layer with non-trained state, as BatchNorm's running
// statistics are: a count of the training batches it has seen and their
// running mean, updated in Forward on the host, and a learned scale.
type counter struct {
	scale, seen, mean *tensor.Tensor
	dscale            *tensor.Tensor
	x                 *tensor.Tensor
}

func (c *counter) Setup(in []int) []int { return in }
func (c *counter) Kind() string         { return "counter" }
func (c *counter) Cost() Cost           { return Cost{} }
func (c *counter) String() string       { return "Counter()" }
func (c *counter) Free()                {}
func (c *counter) ParamSpecs() []ParamSpec {
	return []ParamSpec{
		{Name: "scale", Shape: []int{1}, Init: Constant(1)},
		{Name: "seen", Shape: []int{1}, State: true},
		{Name: "mean", Shape: []int{1}, State: true, Init: Constant(-1)},
	}
}
func (c *counter) Attach(params, grads []*tensor.Tensor) {
	c.scale, c.seen, c.mean, c.dscale = params[0], params[1], params[2], grads[0]
	if grads[1] != nil || grads[2] != nil {
		panic("state with a gradient")
	}
}
func (c *counter) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	if p.Train {
		v, _ := x.Float32s()
		s, _ := c.seen.Float32s()
		c.seen.CopyFrom([]float32{s[0] + 1})
		var sum float32
		for _, e := range v {
			sum += e
		}
		c.mean.CopyFrom([]float32{sum / float32(len(v))})
	}
	c.x = x
	return x
}
func (c *counter) Backward(dy *tensor.Tensor, wantDX bool) *tensor.Tensor {
	tensor.Axpy(1, tensor.FromSlice(dy.Device(), []float32{1}, 1), c.dscale)
	return dy
}

// TestState checks non-trained state: its own arena, named after its
// layer, initialised, left out of the parameters, the gradient arena, the
// optimizer's update and the parameter count, and written by Forward.
func TestState(t *testing.T) {
	net := NewSequential(NewLinear(2), &counter{}, NewLinear(1))
	net.Build(tensor.CPU(), []int{3}, BuildOptions{Seed: 1})
	var names, state []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	for _, p := range net.State() {
		state = append(state, p.Name)
		if p.Grad != nil {
			t.Errorf("state %s has a gradient", p.Name)
		}
	}
	if !slices.Equal(names, []string{"0.weight", "0.bias", "1.scale", "2.weight", "2.bias"}) || !slices.Equal(state, []string{"1.seen", "1.mean"}) {
		t.Fatalf("params %v, state %v", names, state)
	}
	params, grads := net.Arena()
	if params.Len() != 8+1+3 || grads.Len() != params.Len() {
		t.Errorf("arenas of %d and %d, want 12 each", params.Len(), grads.Len())
	}
	if mean, _ := net.State()[1].Value.Float32s(); mean[0] != -1 {
		t.Errorf("state not initialised: mean %v", mean)
	}
	if p, _, _ := Totals(net.Summary()); p != 12 {
		t.Errorf("summary counts %d parameters, want 12 (state is not a parameter)", p)
	}

	opt := NewSGD(params, grads, tensor.SGDOptions{LR: 0.1})
	x := tensor.FromSlice(tensor.CPU(), []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	for range 3 {
		net.ZeroGrad()
		y := net.Forward(x, Pass{Train: true})
		net.Backward(y)
		opt.Step()
	}
	net.Forward(x, Pass{})
	seen, _ := net.State()[0].Value.Float32s()
	scale, _ := net.Params()[2].Value.Float32s()
	if seen[0] != 3 {
		t.Errorf("state saw %v training batches, want 3 (and none counted in evaluation)", seen[0])
	}
	if scale[0] == 1 {
		t.Error("the trained scale did not move")
	}
}

// TestBuildInference checks a network built for inference: no gradient
// arena, parameters left at zero with NoInit, the same forward as a
// trained copy once given its weights, and a clear panic for Backward.
func TestBuildInference(t *testing.T) {
	in := []int{2, 9, 9}
	train := tinyNet()
	train.Build(tensor.CPU(), in, BuildOptions{Seed: 4})
	infer := tinyNet()
	infer.Build(tensor.CPU(), in, BuildOptions{NoInit: true, Inference: true})
	params, grads := infer.Arena()
	if grads != nil || infer.Params()[0].Grad != nil {
		t.Fatal("an inference build has gradients")
	}
	if v, _ := params.Float32s(); slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		t.Error("NoInit drew weights")
	}
	trained, _ := train.Arena()
	tensor.Copy(params, trained)
	x := tensor.RandUniform(tensor.CPU(), 1, 0, 1, 3, 2, 9, 9)
	a, _ := train.Forward(x, Pass{}).Float32s()
	b, _ := infer.Forward(x, Pass{}).Float32s()
	if !slices.Equal(a, b) {
		t.Error("the inference build computes another forward")
	}
	if fi, ft := infer.Footprint(tensor.CPU(), 3, BuildOptions{Inference: true}), train.Footprint(tensor.CPU(), 3, BuildOptions{}); fi >= ft {
		t.Errorf("footprints: inference %d bytes, training %d", fi, ft)
	}
	for name, f := range map[string]func(){
		"Backward": func() { infer.Backward(tensor.Zeros(tensor.CPU(), 3, 3)) },
		"ZeroGrad": infer.ZeroGrad,
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), name+" of a Sequential built for inference") {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			f()
		}()
	}
}

// TestTrace checks the stages a training step reports, in order.
func TestTrace(t *testing.T) {
	net := NewSequential(NewLinear(3), NewReLU(), NewLinear(2))
	net.Build(tensor.CPU(), []int{4}, BuildOptions{Seed: 1})
	var got []string
	net.Trace = func(s Stage) {
		switch {
		case s.Layer < 0:
			got = append(got, s.Name)
		case s.Backward:
			got = append(got, fmt.Sprintf("b%d", s.Layer))
		default:
			got = append(got, fmt.Sprintf("f%d", s.Layer))
		}
	}
	net.ZeroGrad()
	y := net.Forward(tensor.Zeros(tensor.CPU(), 5, 4), Pass{})
	net.Mark("loss")
	net.Backward(y)
	net.Mark("update")
	want := []string{"zero_grad", "f0", "f1", "f2", "loss", "b2", "b1", "b0", "update"}
	if !slices.Equal(got, want) {
		t.Errorf("stages %v, want %v", got, want)
	}
}

// TestFree checks that a freed network refuses to run, and that Free twice
// is harmless.
func TestFree(t *testing.T) {
	net := tinyNet()
	net.Build(tensor.CPU(), []int{2, 9, 9}, BuildOptions{})
	net.Forward(tensor.Zeros(tensor.CPU(), 2, 2, 9, 9), Pass{})
	net.Free()
	net.Free()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "used after Free") {
			t.Errorf("Forward after Free: panic %v", r)
		}
	}()
	net.Forward(tensor.Zeros(tensor.CPU(), 2, 2, 9, 9), Pass{})
}

// TestInPlaceAfterInPlace checks that two in-place layers in a row, or
// with only a view between them, are refused, and a layer that writes a
// tensor of its own between them is not.
func TestInPlaceAfterInPlace(t *testing.T) {
	for _, tc := range []struct {
		net    *Sequential
		refuse bool
	}{
		{NewSequential(NewLinear(4), NewSigmoid(), NewTanh()), true},
		{NewSequential(NewLinear(4), NewReLU(), NewFlatten(), NewReLU()), true},
		{NewSequential(NewLinear(4), NewReLU(), NewDropout(0.5), NewReLU()), false},
		{NewSequential(NewLinear(4), NewSigmoid(), NewLinear(3), NewTanh()), false},
	} {
		func() {
			defer func() {
				if r := recover(); (r != nil) != tc.refuse {
					t.Errorf("%v: refused %v (%v), want %v", tc.net.Layers(), r != nil, r, tc.refuse)
				}
			}()
			tc.net.Setup([]int{5})
		}()
	}
}

// TestMinTrainBatch checks the fewest samples a training step needs: one,
// or two once a BatchNorm1d's statistics come from one value a sample.
func TestMinTrainBatch(t *testing.T) {
	for _, tc := range []struct {
		net  *Sequential
		want int
	}{{tinyNet(), 1}, {normNet(), 2}, {NewSequential(NewConv2d(2, tensor.Square(3, 1, 1)), NewBatchNorm2d()), 1}} {
		tc.net.Setup([]int{2, 9, 9})
		if got := tc.net.MinTrainBatch(); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.net.Layers(), got, tc.want)
		}
	}
}

// TestDiscardGrad checks that after DiscardGrad the backward pass writes
// the gradients, reading nothing of the arena (filled with NaN here), the
// same bits as ZeroGrad and Backward give; that a layer which can only add
// (counter) has its gradient zeroed first; and that a second Backward adds.
// The im2col network's workspace holds one image's columns, so that its
// convolutions run in chunks.
func TestDiscardGrad(t *testing.T) {
	for _, k := range cpuKinds {
		t.Run(k.name, func(t *testing.T) {
			newNet := func() *Sequential {
				net := NewSequential(
					NewConv2d(3, tensor.Square(3, 1, 1)), NewBatchNorm2d(), NewReLU(), &counter{},
					NewConv2d(2, tensor.Square(2, 1, 0)), NewFlatten(), NewLinear(4))
				net.Workspace().Bytes = 4 * 2 * 27 * 25
				net.Build(k.dev, []int{2, 5, 5}, BuildOptions{Seed: 3})
				return net
			}
			x := tensor.RandUniform(k.dev, 4, -1, 1, 3, 2, 5, 5)
			checkDiscardGrad(t, newNet, x, tensor.FromSlice(k.dev, []int32{0, 3, 1}, 3))
		})
	}
}

// checkDiscardGrad checks the networks newNet makes on a batch x: the
// gradients of a Backward after DiscardGrad, the arena filled with NaN
// before, against those after ZeroGrad, to the bit; then that a second
// Backward adds to them.
func checkDiscardGrad(t *testing.T, newNet func() *Sequential, x, labels *tensor.Tensor) {
	t.Helper()
	backward := func(net *Sequential) []float32 {
		var ce CrossEntropy
		ce.Forward(net.Forward(x, Pass{Train: true}), labels, true)
		net.Backward(ce.Backward())
		_, grads := net.Arena()
		g, _ := grads.Float32s()
		return g
	}
	zeroed, discarded := newNet(), newNet()
	zeroed.ZeroGrad()
	want := backward(zeroed)
	_, grads := discarded.Arena()
	tensor.Fill(grads, float32(math.NaN()))
	discarded.DiscardGrad()
	if got := backward(discarded); !slices.Equal(got, want) {
		t.Fatalf("gradients after DiscardGrad\n%v\nwant (after ZeroGrad)\n%v", got, want)
	}
	twice := backward(discarded)
	for i, g := range twice {
		// Within rounding: the second sums add in their own order.
		if math.Abs(float64(g)-2*float64(want[i])) > 1e-4*math.Abs(float64(want[i])) {
			t.Fatalf("a second Backward: gradient %d is %v, want twice %v", i, g, want[i])
		}
	}
}
