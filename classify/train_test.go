package classify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// train runs Train on a fresh model of c, or of the checkpoint from when
// set, over a small synthetic set.
func train(t *testing.T, ctx context.Context, c Config, from string, o TrainOptions) ([]EpochStats, error) {
	t.Helper()
	m := newTiny(t, c)
	if from != "" {
		info, err := m.LoadCheckpoint(from)
		if err != nil {
			t.Fatal(err)
		}
		o.Done = info.Epoch
	}
	d := synthetic(12, 28)
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
	whole, err := train(t, ctx, tiny, "", TrainOptions{Epochs: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	again, err := train(t, ctx, tiny, "", TrainOptions{Epochs: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "first.safetensors")
	half, err := train(t, ctx, tiny, "", TrainOptions{Epochs: 1, Seed: 7, Save: first})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := train(t, ctx, tiny, first, TrainOptions{Epochs: 1, Seed: 7})
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

// cancelling is a dataset that cancels a context when its first image is
// read: while the first batch is assembled, before the first step.
type cancelling struct {
	*images
	cancel context.CancelFunc
}

func (c cancelling) Image(i int) []uint8 {
	c.cancel()
	return c.images.Image(i)
}

// TestTrainInterrupt checks that a context cancelled during training
// stops it after the current step and saves a checkpoint saying no epoch
// finished, and that one cancelled before the first step saves nothing.
func TestTrainInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	d := synthetic(12, 28)
	history, err := Train(ctx, newTiny(t, tiny), cancelling{d, cancel}, d, TrainOptions{Epochs: 2, Batch: 4, Save: path})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "epoch 1, step 1") || len(history) != 0 {
		t.Fatalf("history %v, error %v; want none and an interruption at epoch 1, step 1", history, err)
	}
	m, info, err := Load(tensor.CPU(), tinyNet(), path, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if info.Epoch != 0 || m.Step() != 1 {
		t.Errorf("checkpoint after %d epochs and %d steps, want 0 and 1", info.Epoch, m.Step())
	}

	early := filepath.Join(t.TempDir(), "early.safetensors")
	_, err = Train(ctx, newTiny(t, tiny), d, d, TrainOptions{Epochs: 1, Batch: 4, Save: early})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "nothing saved") {
		t.Errorf("cancelled before training: %v", err)
	}
	if _, err := os.Stat(early); !os.IsNotExist(err) {
		t.Errorf("a run stopped before its first step wrote a checkpoint (%v)", err)
	}
}

// TestTrainDiverges checks that a NaN or infinite loss stops training with
// an error naming where, and leaves the checkpoint unwritten.
func TestTrainDiverges(t *testing.T) {
	c := tiny
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
		{TrainOptions{Epochs: MaxEpochs + 1, Batch: 1}, "epochs 1000001"},
		{TrainOptions{Epochs: 2, Done: MaxEpochs - 1, Batch: 1}, "would pass the limit"},
		{TrainOptions{Epochs: 1, Batch: 1, Save: filepath.Join(t.TempDir(), "missing", "ck.safetensors")}, "ck.safetensors"},
	} {
		m := newTiny(t, tiny)
		d := synthetic(1, 12)
		if _, err := Train(context.Background(), m, d, d, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %s", c.o, err, c.want)
		}
	}
}
