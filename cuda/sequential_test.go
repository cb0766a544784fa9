//go:build cuda

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// TestSequentialMatchesCPU trains one step of a small network on the CPU,
// on the GPU with its direct convolutions and on the GPU through im2col,
// all in exact FP32, and compares outputs and every gradient. The network
// has each fold Sequential makes: a convolution's ReLU in its forward
// epilogue, a ReLU's gradient in the next convolution's data gradient (a
// strided one) and in the max-pool's backward.
func TestSequentialMatchesCPU(t *testing.T) {
	d := gpu(t)
	d.SetExactGemm(true)
	defer d.SetExactGemm(false)
	im2col := own(t, Im2colConv(), ExactGemm())
	r := rand.New(rand.NewPCG(testSeed(t), 11))
	in := []int{3, 17, 15}
	xs := make([]float32, 4*3*17*15)
	for i := range xs {
		xs[i] = r.Float32()*2 - 1
	}
	dys := make([]float32, 4*10)
	for i := range dys {
		dys[i] = r.Float32()*2 - 1
	}
	step := func(dev tensor.Device) (y, grads []float32) {
		s := nn.NewSequential(
			nn.NewConv2d(8, tensor.Square(3, 1, 1)), nn.NewReLU(),
			nn.NewConv2d(12, tensor.Square(3, 2, 1)), nn.NewReLU(),
			nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
			nn.NewFlatten(), nn.NewLinear(10))
		s.Build(dev, in, nn.BuildOptions{Seed: 3})
		out := s.Forward(tensor.FromSlice(dev, xs, append([]int{4}, in...)...), nn.Pass{Train: true})
		s.ZeroGrad()
		s.Backward(tensor.FromSlice(dev, dys, out.Shape()...))
		_, g := s.Arena()
		return devicetest.Floats(t, out), devicetest.Floats(t, g)
	}
	wantY, wantG := step(tensor.CPU())
	for _, dev := range []struct {
		name string
		d    *Device
	}{{"direct", d}, {"im2col", im2col}} {
		y, g := step(dev.d)
		if e := devicetest.RelErr(y, wantY); !(e <= 1e-5) {
			t.Errorf("%s: output: relative error %.3g from the CPU's", dev.name, e)
		}
		if e := devicetest.RelErr(g, wantG); !(e <= 1e-5) {
			t.Errorf("%s: gradients: relative error %.3g from the CPU's", dev.name, e)
		}
	}
}
