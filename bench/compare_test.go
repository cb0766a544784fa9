package bench

import (
	"context"
	"iter"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/tensor"
)

// randomBatches yields n batches of size random 28x28 images.
func randomBatches(n, size int) iter.Seq[*classify.Batch] {
	return func(yield func(*classify.Batch) bool) {
		r := rand.New(rand.NewPCG(1, 2))
		for range n {
			b := &classify.Batch{Channels: 1, Height: 28, Width: 28, Images: make([]uint8, size*28*28), Labels: make([]int32, size)}
			for i := range b.Images {
				b.Images[i] = uint8(r.IntN(256))
			}
			for i := range b.Labels {
				b.Labels[i] = int32(r.IntN(10))
			}
			if !yield(b) {
				return
			}
		}
	}
}

// TestCompareSameDevice trains two models on the CPU: same seed, same
// batches, so the curves and parameters must agree exactly.
func TestCompareSameDevice(t *testing.T) {
	cfg := alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 10, Hidden: 32, Seed: 3}
	var seen int
	cpu := tensor.CPU()
	c, err := Compare(context.Background(), [2]tensor.Device{cpu, cpu}, build(cfg), randomBatches(3, 4), func(StepPair) { seen++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Steps) != 3 || seen != 3 {
		t.Fatalf("%d steps, %d reported, want 3", len(c.Steps), seen)
	}
	for _, s := range c.Steps {
		if s.Loss[0] != s.Loss[1] || s.Loss[0] <= 0 || s.Ms[0] <= 0 {
			t.Errorf("step %d: %+v", s.Step, s)
		}
	}
	if c.MaxDiff != 0 || c.MaxDiffParam == "" || c.MaxDiffScale <= 0 || c.Speedup() <= 0 {
		t.Errorf("max difference %v in %q (scale %v), speedup %v", c.MaxDiff, c.MaxDiffParam, c.MaxDiffScale, c.Speedup())
	}
}

func TestCompareNoBatches(t *testing.T) {
	cfg := alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 10, Hidden: 32}
	cpu := tensor.CPU()
	if _, err := Compare(context.Background(), [2]tensor.Device{cpu, cpu}, build(cfg), randomBatches(0, 1), nil); err == nil {
		t.Error("no error for an empty batch sequence")
	}
}

// TestComparePrecisions trains the same model in FP32 and in BF16 on the
// CPU: the first losses must be close (the same weights, products rounded
// differently) but not equal, and the parameters must have moved apart,
// by far less than the weights' size (about 0.1 here).
func TestComparePrecisions(t *testing.T) {
	cfg := alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 10, Hidden: 32, Seed: 3}
	cpu := tensor.CPU()
	c, err := Compare(context.Background(), [2]tensor.Device{cpu, cpu}, build(cfg, tensor.FP32, tensor.BF16), randomBatches(2, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Precisions != [2]string{"fp32", "bf16"} {
		t.Errorf("precisions %v", c.Precisions)
	}
	l := c.Steps[0].Loss
	if l[0] == l[1] || math.Abs(l[0]-l[1]) > 0.01*l[0] {
		t.Errorf("first step's losses %v: want close but not equal", l)
	}
	if c.MaxDiff == 0 || c.MaxDiff > 0.01 {
		t.Errorf("largest parameter difference %v in %s (scale %v)", c.MaxDiff, c.MaxDiffParam, c.MaxDiffScale)
	}
}

// build returns Compare's builder of AlexNet models of cfg, in the given
// precision on each side (FP32 on both when none are given).
func build(cfg alexnet.Config, precisions ...tensor.Precision) func(int, tensor.Device) (*classify.Model, error) {
	return func(side int, dev tensor.Device) (*classify.Model, error) {
		if len(precisions) > 0 {
			cfg.Precision = precisions[side]
		}
		return alexnet.New(dev, cfg)
	}
}
