package classify

import (
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// images is a Dataset held in memory for the tests.
type images struct {
	px      []uint8
	labels  []int // nil: unlabelled
	c, h, w int
}

func (d *images) Len() int             { return len(d.px) / (d.c * d.h * d.w) }
func (d *images) Shape() (c, h, w int) { return d.c, d.h, d.w }
func (d *images) Image(i int) []uint8  { n := d.c * d.h * d.w; return d.px[i*n : (i+1)*n] }
func (d *images) Label(i int) int {
	if d.labels == nil {
		return -1
	}
	return d.labels[i]
}

// synthetic returns n random 1-channel images of side x side, labelled i
// mod 10.
func synthetic(n, side int) *images {
	r := rand.New(rand.NewPCG(1, 2))
	d := &images{px: make([]uint8, n*side*side), labels: make([]int, n), c: 1, h: side, w: side}
	for i := range d.px {
		d.px[i] = uint8(r.IntN(256))
	}
	for i := range d.labels {
		d.labels[i] = i % 10
	}
	return d
}

// tinyNet is a small network of every kind of layer, for 1x12x12 inputs
// and 10 classes.
func tinyNet() *nn.Sequential {
	return nn.NewSequential(
		nn.NewConv2d(4, tensor.Square(3, 1, 1)), nn.NewReLU(), nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
		nn.NewFlatten(),
		nn.NewLinear(16), nn.NewReLU(), nn.NewDropout(0.5),
		nn.NewLinear(10),
	)
}

// tiny is tinyNet's configuration, with momentum so that checkpoints carry
// a velocity, and a prefix and metadata as alexnet's models have.
var tiny = Config{
	Input: []int{1, 12, 12}, Seed: 1, SGD: tensor.SGDOptions{LR: 0.05, Momentum: 0.9},
	Prefix: "net.", Meta: map[string]string{"arch": "tiny"},
}

// newTiny builds tinyNet on the CPU with configuration c.
func newTiny(t testing.TB, c Config) *Model {
	t.Helper()
	m, err := New(tensor.CPU(), tinyNet(), c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// batch returns n random inputs of the model's shape and labels i mod 10.
func batch(dev tensor.Device, c Config, n int) (x, labels *tensor.Tensor) {
	x = tensor.RandUniform(dev, 9, 0, 1, append([]int{n}, c.Input...)...)
	l := make([]int32, n)
	for i := range l {
		l[i] = int32(i % 10)
	}
	return x, tensor.FromSlice(dev, l, n)
}
