package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// moments returns the mean, standard deviation, minimum and maximum of v.
func moments(v []float32) (mean, std, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		mean += float64(x)
		lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (float64(x) - mean) * (float64(x) - mean)
	}
	return mean, math.Sqrt(std / float64(len(v))), lo, hi
}

// TestInitialisers checks each initialiser's distribution against the
// formula of torch.nn.init on a large sample: a uniform's bound (its values
// fill the interval and stay in it; its deviation is bound/sqrt(3)), a
// normal's deviation, and that a seed gives the same values.
func TestInitialisers(t *testing.T) {
	const fanIn, fanOut, n = 300, 50, 200_000
	relu := math.Sqrt(2) // torch.nn.init.calculate_gain("relu")
	for _, c := range []struct {
		init    Init
		std     float64
		bound   float64 // 0: a normal distribution
		wantStr string
	}{
		{XavierUniform(1), math.Sqrt(2.0 / (fanIn + fanOut)), math.Sqrt(6.0 / (fanIn + fanOut)), "XavierUniform(gain=1)"},
		{XavierUniform(relu), relu * math.Sqrt(2.0/(fanIn+fanOut)), relu * math.Sqrt(6.0/(fanIn+fanOut)), ""},
		{XavierNormal(2), 2 * math.Sqrt(2.0/(fanIn+fanOut)), 0, "XavierNormal(gain=2)"},
		{KaimingUniform(0), math.Sqrt(2.0 / fanIn), math.Sqrt(6.0 / fanIn), "KaimingUniform(a=0)"},
		{KaimingNormal(0.1), math.Sqrt(2/1.01) / math.Sqrt(fanIn), 0, "KaimingNormal(a=0.1)"},
		{TorchDefault(), 1 / math.Sqrt(3*fanIn), 1 / math.Sqrt(fanIn), "TorchDefault()"},
		// PyTorch's default weight init is kaiming_uniform_ with a = sqrt(5):
		// the same bound as TorchDefault's.
		{KaimingUniform(math.Sqrt(5)), 1 / math.Sqrt(3*fanIn), 1 / math.Sqrt(fanIn), ""},
	} {
		v := make([]float32, n)
		c.init.Fill(v, fanIn, fanOut, 9)
		mean, std, lo, hi := moments(v)
		if math.Abs(mean) > 4*c.std/math.Sqrt(n) || math.Abs(std-c.std) > 0.01*c.std {
			t.Errorf("%v: mean %.4g, std %.4g; want 0, %.4g", c.init, mean, std, c.std)
		}
		if c.bound > 0 && (-lo > c.bound || hi > c.bound || hi < 0.999*c.bound || -lo < 0.999*c.bound) {
			t.Errorf("%v: values in [%.5g, %.5g], want to fill ±%.5g", c.init, lo, hi, c.bound)
		}
		again := make([]float32, n)
		c.init.Fill(again, fanIn, fanOut, 9)
		if !slices.Equal(v, again) {
			t.Errorf("%v: two fills from one seed differ", c.init)
		}
		if c.wantStr != "" && c.init.String() != c.wantStr {
			t.Errorf("String() = %q, want %q", c.init.String(), c.wantStr)
		}
	}
	v := []float32{1, 2, 3}
	Constant(0.25).Fill(v, fanIn, fanOut, 1)
	if !slices.Equal(v, []float32{0.25, 0.25, 0.25}) {
		t.Errorf("Constant(0.25): %v", v)
	}
}

// TestLayerInits checks that a layer's WeightInit and BiasInit reach the
// built tensors, with PyTorch's fans, and that the defaults are D2L's.
func TestLayerInits(t *testing.T) {
	conv := NewConv2d(8, tensor.Square(3, 1, 1))
	conv.WeightInit, conv.BiasInit = KaimingNormal(0), Constant(0.5)
	lin := NewLinear(4)
	lin.BiasInit = TorchDefault()
	net := NewSequential(conv, NewFlatten(), lin)
	net.Build(tensor.CPU(), []int{3, 6, 6}, BuildOptions{Seed: 2})
	ps := net.Params()
	cw, _ := ps[0].Value.Float32s()
	cb, _ := ps[1].Value.Float32s()
	lw, _ := ps[2].Value.Float32s()
	lb, _ := ps[3].Value.Float32s()

	want := make([]float32, len(cw))
	KaimingNormal(0).Fill(want, 3*3*3, 8*3*3, MixSeed(2, 0<<8|0))
	if !slices.Equal(cw, want) {
		t.Error("the convolution's weight is not KaimingNormal over fans 27 and 72 from its seed")
	}
	if slices.ContainsFunc(cb, func(v float32) bool { return v != 0.5 }) {
		t.Errorf("the convolution's bias is %v, want 0.5s", cb)
	}
	fanIn := 8 * 6 * 6
	if _, _, lo, hi := moments(lb); lo < -1/math.Sqrt(float64(fanIn)) || hi > 1/math.Sqrt(float64(fanIn)) || lo == hi {
		t.Errorf("the linear bias in [%v, %v], want TorchDefault's ±1/sqrt(%d)", lo, hi, fanIn)
	}
	want = make([]float32, len(lw))
	XavierUniform(1).Fill(want, fanIn, 4, MixSeed(2, 2<<8|0))
	if !slices.Equal(lw, want) {
		t.Error("the linear weight is not the default Xavier-uniform")
	}
}
