package bench

import (
	"context"
	"iter"
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

// build returns Compare's builder of AlexNet models of cfg.
func build(cfg alexnet.Config) func(tensor.Device) (*classify.Model, error) {
	return func(dev tensor.Device) (*classify.Model, error) { return alexnet.New(dev, cfg) }
}
