//go:build cuda

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// TestSequentialMatchesCPU trains one step of small networks on the CPU,
// on the GPU with its direct convolutions and on the GPU through im2col,
// all in exact FP32, and compares outputs and every gradient. The first
// network has each fold Sequential makes: a convolution's ReLU in its
// forward epilogue, a ReLU's gradient in the next convolution's data
// gradient (a strided one) and in the max-pool's backward. The second is
// ResNet's parts: batch normalisation, residual blocks with the identity
// and with a strided projection, and the global average pool.
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
	block := func(out, stride int) []nn.Layer {
		return []nn.Layer{
			nn.NewConv2d(out, tensor.Square(3, stride, 1)), nn.NewBatchNorm2d(), nn.NewReLU(),
			nn.NewConv2d(out, tensor.Square(3, 1, 1)), nn.NewBatchNorm2d(),
		}
	}
	nets := []struct {
		name string
		net  func() *nn.Sequential
	}{
		{"folds", func() *nn.Sequential {
			return nn.NewSequential(
				nn.NewConv2d(8, tensor.Square(3, 1, 1)), nn.NewReLU(),
				nn.NewConv2d(12, tensor.Square(3, 2, 1)), nn.NewReLU(),
				nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
				nn.NewFlatten(), nn.NewLinear(10))
		}},
		{"residual", func() *nn.Sequential {
			return nn.NewSequential(
				nn.NewConv2d(8, tensor.Square(3, 1, 1)), nn.NewBatchNorm2d(), nn.NewReLU(),
				nn.NewMaxPool2d(tensor.Square(3, 2, 1)),
				nn.NewResidual(block(8, 1), nil), nn.NewReLU(),
				nn.NewResidual(block(16, 2), []nn.Layer{nn.NewConv2d(16, tensor.Square(1, 2, 0)), nn.NewBatchNorm2d()}), nn.NewReLU(),
				nn.NewGlobalAvgPool2d(), nn.NewFlatten(), nn.NewLinear(10))
		}},
	}
	for _, net := range nets {
		step := func(dev tensor.Device) (y, grads []float32) {
			s := net.net()
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
				t.Errorf("%s on %s: output: relative error %.3g from the CPU's", net.name, dev.name, e)
			}
			if e := devicetest.RelErr(g, wantG); !(e <= 1e-5) {
				t.Errorf("%s on %s: gradients: relative error %.3g from the CPU's", net.name, dev.name, e)
			}
		}
	}
}
