package alexnet

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/tensor"
)

// synthetic returns n random 28x28 images labelled i mod 10.
func synthetic(n int) *fashionmnist.Dataset {
	r := rand.New(rand.NewPCG(1, 2))
	d := &fashionmnist.Dataset{Rows: 28, Cols: 28, Images: make([]uint8, n*28*28), Labels: make([]uint8, n)}
	for i := range d.Images {
		d.Images[i] = uint8(r.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(i % 10)
	}
	return d
}

// train runs Train on a fresh model of c, or of the checkpoint from when
// set, over a small synthetic set.
func train(t *testing.T, ctx context.Context, c Config, from string, o TrainOptions) ([]EpochStats, error) {
	t.Helper()
	m, err := New(tensor.CPU(), c)
	if err != nil {
		t.Fatal(err)
	}
	if from != "" {
		info, err := m.LoadCheckpoint(from)
		if err != nil {
			t.Fatal(err)
		}
		o.Done = info.Epoch
	}
	d := synthetic(12)
	o.Batch = 4
	return Train(ctx, m, d, d, o)
}

// TestTrainResume checks that a run is reproducible from its seed, and that
// stopping after an epoch, saving and resuming gives what the uninterrupted
// run gives: the checkpoint holds all the state (weights, velocity, the
// step that seeds dropout) and the shuffle depends on the epoch alone.
func TestTrainResume(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	whole, err := train(t, ctx, withMomentum, "", TrainOptions{Epochs: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	again, err := train(t, ctx, withMomentum, "", TrainOptions{Epochs: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "first.safetensors")
	half, err := train(t, ctx, withMomentum, "", TrainOptions{Epochs: 1, Seed: 7, Save: first})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := train(t, ctx, withMomentum, first, TrainOptions{Epochs: 1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	resumed := append(half, rest...)
	for i := range whole {
		w, a, r := whole[i], again[i], resumed[i]
		if w.Epoch != i+1 || r.Epoch != i+1 || w.Images != 12 {
			t.Errorf("epoch %d: numbered %d and %d, %d images", i+1, w.Epoch, r.Epoch, w.Images)
		}
		if w.TrainLoss != a.TrainLoss || w.TestAcc != a.TestAcc {
			t.Errorf("epoch %d: two runs from one seed differ: %v and %v", i+1, w, a)
		}
		if w.TrainLoss != r.TrainLoss || w.TrainAcc != r.TrainAcc || w.TestAcc != r.TestAcc {
			t.Errorf("epoch %d: resumed run differs: %v, uninterrupted %v", i+1, r, w)
		}
	}
}

// TestTrainInterrupt checks that a cancelled context stops training after
// the current step and saves a checkpoint saying no epoch finished.
func TestTrainInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	history, err := train(t, ctx, small, "", TrainOptions{Epochs: 2, Save: path})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "epoch 1, step 1") || len(history) != 0 {
		t.Fatalf("history %v, error %v; want none and an interruption at epoch 1, step 1", history, err)
	}
	m, info, err := Load(tensor.CPU(), path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Epoch != 0 || m.Step() != 1 {
		t.Errorf("checkpoint after %d epochs and %d steps, want 0 and 1", info.Epoch, m.Step())
	}
}

// TestTrainDiverges checks that a NaN or infinite loss stops training with
// an error naming where, and leaves the checkpoint unwritten.
func TestTrainDiverges(t *testing.T) {
	c := small
	c.SGD.LR = 1e30
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	_, err := train(t, context.Background(), c, "", TrainOptions{Epochs: 3, Save: path})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "epoch 1, step ") {
		t.Fatalf("error %v, want divergence at a step of epoch 1", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a diverged run wrote its checkpoint (%v)", err)
	}
}

func TestTrainOptionErrors(t *testing.T) {
	for _, c := range []struct {
		o    TrainOptions
		want string
	}{
		{TrainOptions{Epochs: -1, Batch: 1}, "epochs -1"},
		{TrainOptions{Epochs: 1}, "batch size 0"},
		{TrainOptions{Epochs: 1, Batch: 1, Plot: "curves.pdf"}, `".pdf"`},
	} {
		m, err := New(tensor.CPU(), small)
		if err != nil {
			t.Fatal(err)
		}
		d := synthetic(1)
		if _, err := Train(context.Background(), m, d, d, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %s", c.o, err, c.want)
		}
	}
}
