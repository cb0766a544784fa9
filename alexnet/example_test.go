package alexnet_test

import (
	"fmt"
	"os"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/tensor"
)

// The book's layer_summary for one 1x224x224 Fashion-MNIST image, worked
// out from shapes alone.
func ExampleWriteSummary() {
	alexnet.WriteSummary(os.Stdout, alexnet.Config{InChannels: 1, Size: 224, Classes: 10})
	// Output:
	//    #     output      params  MFLOP fwd  layer
	//    0   96x54x54      11,712       67.7  Conv2d(1, 96, kernel=11x11 stride=4x4 pad=1x1)
	//    1   96x54x54           0        0.0  ReLU()
	//    2   96x26x26           0        0.0  MaxPool2d(kernel=3x3 stride=2x2 pad=0x0)
	//    3  256x26x26     614,656      830.7  Conv2d(96, 256, kernel=5x5 stride=1x1 pad=2x2)
	//    4  256x26x26           0        0.0  ReLU()
	//    5  256x12x12           0        0.0  MaxPool2d(kernel=3x3 stride=2x2 pad=0x0)
	//    6  384x12x12     885,120      254.8  Conv2d(256, 384, kernel=3x3 stride=1x1 pad=1x1)
	//    7  384x12x12           0        0.0  ReLU()
	//    8  384x12x12   1,327,488      382.2  Conv2d(384, 384, kernel=3x3 stride=1x1 pad=1x1)
	//    9  384x12x12           0        0.0  ReLU()
	//   10  256x12x12     884,992      254.8  Conv2d(384, 256, kernel=3x3 stride=1x1 pad=1x1)
	//   11  256x12x12           0        0.0  ReLU()
	//   12    256x5x5           0        0.0  MaxPool2d(kernel=3x3 stride=2x2 pad=0x0)
	//   13       6400           0        0.0  Flatten(start_dim=1, end_dim=-1)
	//   14       4096  26,218,496       52.4  Linear(in_features=6400, out_features=4096)
	//   15       4096           0        0.0  ReLU()
	//   16       4096           0        0.0  Dropout(p=0.5)
	//   17       4096  16,781,312       33.6  Linear(in_features=4096, out_features=4096)
	//   18       4096           0        0.0  ReLU()
	//   19       4096           0        0.0  Dropout(p=0.5)
	//   20         10      40,970        0.1  Linear(in_features=4096, out_features=10)
	// parameters: 46,764,746
	// forward: 1.876 GFLOP per sample
	// training step: 5.629 GFLOP per sample
}

// Building a model and taking training steps. Size and Hidden are small
// here to keep the example fast; the book uses 224 and 4096.
func ExampleNew() {
	dev := tensor.CPU()
	c := alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 10, Hidden: 64, Seed: 1, SGD: tensor.SGDOptions{LR: 0.05}}
	m, err := alexnet.New(dev, c)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Free()
	ps := m.Params()
	fmt.Println(len(ps), "tensors from", ps[0].Name, "to", ps[len(ps)-1].Name)

	x := tensor.RandUniform(dev, 1, 0, 1, 4, 1, c.Size, c.Size)
	labels := tensor.FromSlice(dev, []int32{3, 1, 4, 1}, 4)
	var losses []float32
	for range 5 {
		loss, _ := m.TrainStep(x, labels)
		l, err := loss.Float32s() // waits for the step
		if err != nil {
			fmt.Println(err)
			return
		}
		losses = append(losses, l[0])
	}
	fmt.Println("steps:", m.Step(), "loss fell:", losses[4] < losses[0])
	// Output:
	// 16 tensors from net.0.weight to net.20.bias
	// steps: 5 loss fell: true
}
