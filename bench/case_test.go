package bench

import (
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/internal/gemmshapes"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// tinyNet is a convolution and a pooling layer on small images, enough to
// exercise LayerCases without AlexNet's cost.
func tinyNet() *nn.Sequential {
	return nn.NewSequential(
		nn.NewConv2d(4, tensor.Square(3, 1, 1)),
		nn.NewReLU(),
		nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
	)
}

func TestLayerCases(t *testing.T) {
	cases := LayerCases(tinyNet, []int{2, 8, 8}, []int{1, 3}, tensor.FP32)
	var names []string
	for _, c := range cases {
		names = append(names, c.Op())
		tm, err := c.Time(tensor.CPU(), 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tm.Runs != 1 || tm.Time <= 0 {
			t.Errorf("%s: %+v, want one timed run (zero budget)", c.Op(), tm)
		}
	}
	want := "Conv/conv1/forward/b1 Conv/conv1/backward/b1 Conv/conv1/forward/b3 Conv/conv1/backward/b3 " +
		"MaxPool/pool1/forward/b1 MaxPool/pool1/backward/b1 MaxPool/pool1/forward/b3 MaxPool/pool1/backward/b3"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("cases\n%s\nwant\n%s", got, want)
	}
	// conv1: 4 outputs x 8x8 pixels x 2*3*3 inputs, 2 FLOPs each, times 3 images.
	if c := cases[2]; c.FLOPs != 2*4*64*18*3 || c.Images != 3 || c.Shape != "[3 2 8 8] -> [3 4 8 8]" {
		t.Errorf("%s: FLOPs %v, images %d, shape %q", c.Op(), c.FLOPs, c.Images, c.Shape)
	}
	if c := cases[3]; c.FLOPs != 2*cases[2].FLOPs {
		t.Errorf("%s: FLOPs %v, want twice the forward's", c.Op(), c.FLOPs)
	}
	// pool1 forward reads the 4x8x8 input and writes the 4x4x4 output and
	// its argmax, 4 bytes each, for each of 3 images.
	if c := cases[6]; c.Bytes != 3*4*(4*8*8+2*4*4*4) || c.FLOPs != 0 {
		t.Errorf("%s: %v bytes, %v FLOPs", c.Op(), c.Bytes, c.FLOPs)
	}
}

func TestGemmCase(t *testing.T) {
	for _, p := range tensor.Precisions {
		c := gemmCase(gemmshapes.Shape{Name: "odd", M: 5, N: 7, K: 3}, p)
		step, free, err := c.Prepare(tensor.CPU())
		if err != nil {
			t.Fatal(err)
		}
		step()
		free()
		if c.FLOPs != 2*5*7*3 || c.Shape != "5x7x3" {
			t.Errorf("FLOPs %v, shape %q", c.FLOPs, c.Shape)
		}
	}
}
