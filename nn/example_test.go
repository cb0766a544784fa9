package nn_test

import (
	"fmt"
	"os"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// A small convolutional network on 1x8x8 images: sizes are inferred from
// the input shape, parameters named as PyTorch names them.
func ExampleSequential() {
	net := nn.NewSequential(
		nn.NewConv2d(4, tensor.Square(3, 1, 1)), nn.NewReLU(), nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
		nn.NewFlatten(),
		nn.NewLinear(3),
	)
	net.Build(tensor.CPU(), []int{1, 8, 8}, nn.BuildOptions{Seed: 1})
	for _, p := range net.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	nn.WriteSummary(os.Stdout, net.Summary())
	// Output:
	// 0.weight [4 1 3 3]
	// 0.bias [4]
	// 4.weight [3 64]
	// 4.bias [3]
	//   #  output  params  MFLOP fwd  layer
	//   0   4x8x8      40        0.0  Conv2d(1, 4, kernel=3x3 stride=1x1 pad=1x1)
	//   1   4x8x8       0        0.0  ReLU()
	//   2   4x4x4       0        0.0  MaxPool2d(kernel=2x2 stride=2x2 pad=0x0)
	//   3      64       0        0.0  Flatten(start_dim=1, end_dim=-1)
	//   4       3     195        0.0  Linear(in_features=64, out_features=3)
	// parameters: 235
	// forward: 0.000 GFLOP per sample
	// training step: 0.000 GFLOP per sample
}

// One training step, llm.c style: forward, loss, backward, update, the
// backward pass writing the gradients afresh after DiscardGrad (ZeroGrad
// would zero them for it to add into). The loss and the count of correct
// predictions stay on the device until read.
func Example_trainingStep() {
	dev := tensor.CPU()
	net := nn.NewSequential(nn.NewLinear(8), nn.NewReLU(), nn.NewDropout(0.25), nn.NewLinear(2))
	net.Build(dev, []int{4}, nn.BuildOptions{Seed: 1})
	params, grads := net.Arena()
	opt := nn.NewSGD(params, grads, tensor.SGDOptions{LR: 0.1})
	var ce nn.CrossEntropy

	x := tensor.FromSlice(dev, []float32{1, 0, 0, 0, 0, 0, 0, 1}, 2, 4)
	labels := tensor.FromSlice(dev, []int32{0, 1}, 2)
	var first float32
	for step := range 20 {
		net.DiscardGrad()
		logits := net.Forward(x, nn.Pass{Train: true, Seed: nn.MixSeed(1, uint64(step))})
		loss, _ := ce.Forward(logits, labels, true)
		net.Backward(ce.Backward())
		opt.Step()
		if l, _ := loss.Float32s(); step == 0 {
			first = l[0]
		}
	}
	// Evaluation: no dropout, no gradient.
	loss, correct := ce.Forward(net.Forward(x, nn.Pass{}), labels, false)
	l, _ := loss.Float32s()
	c, _ := correct.Int32s()
	fmt.Println("loss fell:", l[0] < first)
	fmt.Println("correct:", c[0], "of 2")
	// Output:
	// loss fell: true
	// correct: 2 of 2
}
