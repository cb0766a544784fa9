package classify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"github.com/tensorforge/tensorforge/tensor"
)

// TrainOptions configure Train. The model's own Config holds the optimizer
// settings and the seed of its weights and dropout masks.
type TrainOptions struct {
	// Epochs is the number of epochs to run.
	Epochs int
	// Batch is the number of images per step (the last step of an epoch
	// takes what is left).
	Batch int
	// Limit, if positive, trains on the first Limit training images only.
	Limit int
	// TestLimit, if positive, measures test accuracy on the first
	// TestLimit test images only.
	TestLimit int
	// Seed shuffles the training set; an epoch's order depends only on the
	// seed and the epoch's number.
	Seed uint64
	// Done is the number of epochs the model was already trained for (by a
	// run it was resumed from): numbering, shuffling and the checkpoint's
	// epoch count carry on from there.
	Done int
	// Save, if set, is the checkpoint path written when training finishes
	// or is interrupted (not when it fails: a diverged model would replace a
	// good checkpoint).
	Save string
	// AfterEpoch, if set, is called with the stats of the epochs so far
	// after each one, to draw curves or log them. An error it returns
	// stops neither training nor the checkpoint: Train returns the first
	// one at the end.
	AfterEpoch func(history []EpochStats) error
	// Progress reports steps and epochs; nil reports nothing.
	Progress *Progress
	// Group, if it has more than one process, makes this one process of a
	// data-parallel run (see Group): each trains on its share of every
	// batch and evaluates a share of the test set, the figures of each
	// step and epoch are the whole group's, the replicas start from
	// process 0's tensors, and only process 0 writes the checkpoint.
	// Progress and AfterEpoch are for one process to set.
	Group Group
}

func (o TrainOptions) check() error {
	switch {
	case o.Epochs < 0 || o.Epochs > MaxEpochs:
		return fmt.Errorf("epochs %d: want 0 to %d", o.Epochs, MaxEpochs)
	case o.Batch < 1:
		return fmt.Errorf("batch size %d: want at least 1", o.Batch)
	case o.Limit < 0:
		return fmt.Errorf("training limit %d: want 0 (all) or more", o.Limit)
	case o.TestLimit < 0:
		return fmt.Errorf("test limit %d: want 0 (all) or more", o.TestLimit)
	case o.Done < 0 || o.Done > MaxEpochs:
		return fmt.Errorf("%d epochs done: want 0 to %d", o.Done, MaxEpochs)
	case o.Done+o.Epochs > MaxEpochs:
		return fmt.Errorf("%d epochs after the %d done would pass the limit of %d", o.Epochs, o.Done, MaxEpochs)
	}
	if o.Save != "" {
		return atomicfile.CheckWritable(o.Save)
	}
	return nil
}

// EpochStats is what one epoch of training measured.
type EpochStats struct {
	// Epoch is the epoch's number, from 1, counting those of earlier runs.
	Epoch int `json:"epoch"`
	// TrainLoss and TrainAcc are the mean loss and accuracy over the
	// epoch's training batches, each measured before that batch's update
	// (as the book's train_epoch_ch3 does).
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	// TestAcc is the accuracy on the test set after the epoch.
	TestAcc float64 `json:"test_acc"`
	// Images is the number of training images seen.
	Images int `json:"images"`
	// TrainTime is the time spent training; EvalTime the time spent
	// measuring test accuracy (in JSON, nanoseconds).
	TrainTime time.Duration `json:"train_ns"`
	EvalTime  time.Duration `json:"eval_ns"`
}

// ImagesPerSecond returns the training throughput.
func (s EpochStats) ImagesPerSecond() float64 {
	return float64(s.Images) / s.TrainTime.Seconds()
}

// String formats the stats in the book's words: "loss 0.327, train acc
// 0.881, test acc 0.885", then the throughput and time.
func (s EpochStats) String() string {
	return fmt.Sprintf("loss %.4f, train acc %.4f, test acc %.4f, %.1f img/s, %s (test %s)",
		s.TrainLoss, s.TrainAcc, s.TestAcc, s.ImagesPerSecond(),
		s.TrainTime.Round(10*time.Millisecond), s.EvalTime.Round(10*time.Millisecond))
}

// ErrStepTooSmall is wrapped by Train's error when a training step of the
// run would take fewer images than the network trains on (see
// nn.Sequential.MinTrainBatch), found before any step.
var ErrStepTooSmall = errors.New("too few images for a training step")

// ErrDiverged is wrapped by the error Train returns when the loss becomes
// NaN or infinite.
var ErrDiverged = errors.New("loss diverged")

// Train runs o.Epochs epochs of SGD on train, measuring test accuracy on
// test after each, and returns the stats of the epochs that finished.
//
// Each step reads back only the batch's loss and correct count, the one
// wait for the device a step makes. A NaN or infinite loss stops training
// with an error wrapping ErrDiverged that names the epoch and step. When
// ctx is cancelled, training stops after the current step, saves the
// checkpoint (o.Save) and returns an error wrapping ctx's; cancelled
// before the first step, it saves nothing. Results depend only on the
// seeds and, on the CPU, the thread count.
func Train(ctx context.Context, m *Model, train, test Dataset, o TrainOptions) ([]EpochStats, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if m.Inference() {
		return nil, errors.New("the model was built for inference: it has no gradients or optimizer to train with")
	}
	for _, d := range []Dataset{train, test} {
		if err := m.checkData(d, true); err != nil {
			return nil, err
		}
	}
	loader, err := m.loader(train, BatchOptions{Size: o.Batch, Shuffle: true, Seed: o.Seed, Limit: o.Limit})
	if err != nil {
		return nil, err
	}
	if loader.Len() == 0 {
		return nil, errors.New("no training images")
	}
	size := min(o.Batch, loader.Len())
	if ctx.Err() != nil {
		return nil, fmt.Errorf("stopped before the first step, nothing saved: %w", context.Cause(ctx))
	}
	g := o.Group
	if g != nil && g.Size() < 2 {
		g = nil
	}
	if err := m.checkSteps(loader.Len(), o.Batch, g); err != nil {
		return nil, err
	}
	if g != nil {
		size = (size + g.Size() - 1) / g.Size()
		if err := m.broadcastModel(g); err != nil {
			return nil, err
		}
		if g.Rank() != 0 {
			o.Save = ""
		}
	}
	c, h, w := train.Shape()
	db := NewDeviceBatch(m.Device(), size, c, h, w, m.Input())
	defer db.Free()

	var (
		history []EpochStats
		// A failing AfterEpoch stops neither training nor the checkpoint;
		// its error is returned at the end.
		afterErr error
	)
	o.Progress.begin(o.Done+o.Epochs, o.Epochs*loader.Batches())
	for e := o.Done + 1; e <= o.Done+o.Epochs; e++ {
		s, err := m.trainEpoch(ctx, loader, db, e, len(history)*loader.Batches(), o.Progress, g)
		if err != nil {
			if stopped(ctx, err) {
				err = m.interrupted(err, e-1, o.Save)
			}
			return history, err
		}
		// The epoch's training is done: an interrupt from here on saves it
		// as finished.
		start := time.Now()
		o.Progress.testing(e)
		var ev *Evaluation
		if g != nil {
			ev, err = evaluateGroup(ctx, m, test, o.Batch, o.TestLimit, g)
		} else {
			ev, err = Evaluate(ctx, m, test, o.Batch, o.TestLimit)
		}
		if err != nil {
			err = fmt.Errorf("epoch %d, testing %w", e, err)
			if stopped(ctx, err) {
				err = m.interrupted(err, e, o.Save)
			}
			return history, err
		}
		s.TestAcc, s.EvalTime = ev.Accuracy(), time.Since(start)
		history = append(history, s)
		o.Progress.epoch(s)
		if o.AfterEpoch != nil && afterErr == nil {
			afterErr = o.AfterEpoch(history)
		}
	}
	if o.Save != "" {
		if err := m.Save(o.Save, o.Done+o.Epochs); err != nil {
			return history, errors.Join(err, afterErr)
		}
	}
	return history, afterErr
}

// checkSteps returns an error wrapping ErrStepTooSmall when a step of an
// epoch of n images in batches of batch would hand this process fewer
// images, but not none, than the network trains on: the last, short batch
// or, in a group, a process's share of a batch.
func (m *Model) checkSteps(n, batch int, g Group) error {
	least := m.net.MinTrainBatch()
	if least < 2 {
		return nil
	}
	for _, size := range []int{min(batch, n), n % batch} {
		lo, hi := 0, size
		if g != nil {
			lo, hi = share(size, g.Rank(), g.Size())
		}
		if hi > lo && hi-lo < least {
			what := fmt.Sprintf("a step of %d images", size)
			if size == n%batch && size != batch {
				what = fmt.Sprintf("the last step of an epoch of %d images", n)
			}
			held := fmt.Sprintf("%d images", hi-lo)
			if hi-lo == 1 {
				held = "one image"
			}
			if g != nil {
				held += fmt.Sprintf(" on process %d of %d", g.Rank(), g.Size())
			}
			return fmt.Errorf("%s would hold %s: %w (the network's batch statistics need at least %d); change the batch size or the limit",
				what, held, ErrStepTooSmall, least)
		}
	}
	return nil
}

// errGroupStopped is the error of a process whose group stopped because
// another process was interrupted.
var errGroupStopped = fmt.Errorf("another process of the group was stopped: %w", context.Canceled)

// stopped reports whether err ends training because this process or its
// group was interrupted, which saves the checkpoint.
func stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err()) || errors.Is(err, errGroupStopped)
}

// trainEpoch runs one epoch, numbered epoch; done is the number of steps
// this run took before it, for the progress report's ETA. With a group g,
// this process trains on its share of each batch, and the step's loss,
// correct count and whether any process was interrupted are summed over
// the group, so every process reports and stops alike.
func (m *Model) trainEpoch(ctx context.Context, loader *Loader, db *DeviceBatch, epoch, done int, p *Progress, g Group) (EpochStats, error) {
	s := EpochStats{Epoch: epoch}
	var (
		lossSum float64 // sum over images of the loss, so a short last batch weighs less
		correct int
		lossBuf = make([]float32, 1)
		corrBuf = make([]int32, 1)
		start   = time.Now()
		step    int
	)
	for b := range loader.Epoch(epoch - 1) {
		step++
		n := b.Len()
		lo, hi := 0, n
		var reduce func() error // the whole batch's gradients are this process's own
		if g != nil {
			lo, hi = share(n, g.Rank(), g.Size())
			reduce = func() error { return m.sumGradients(g, float32(hi-lo)/float32(n)) }
		}
		var x, labels *tensor.Tensor
		if hi > lo {
			x, labels = db.Upload(b.Share(lo, hi))
		}
		loss, corr, err := m.sgdStep(x, labels, lo, reduce)
		if err != nil {
			return s, fmt.Errorf("epoch %d, step %d: %w", epoch, step, err)
		}
		batchLoss, batchCorrect := 0.0, 0 // the loss summed over the images
		if loss != nil {
			if err := loss.CopyTo(lossBuf); err != nil {
				return s, fmt.Errorf("epoch %d, step %d: %w", epoch, step, err)
			}
			if err := corr.CopyTo(corrBuf); err != nil {
				return s, fmt.Errorf("epoch %d, step %d: %w", epoch, step, err)
			}
			batchLoss, batchCorrect = float64(lossBuf[0])*float64(hi-lo), int(corrBuf[0])
		}
		if g != nil {
			sums := []float32{float32(batchLoss), float32(batchCorrect), 0}
			if ctx.Err() != nil {
				sums[2] = 1
			}
			if err := g.SumAll(sums); err != nil {
				return s, fmt.Errorf("epoch %d, step %d: %w", epoch, step, err)
			}
			batchLoss, batchCorrect = float64(sums[0]), int(sums[1])
			if sums[2] > 0 && ctx.Err() == nil {
				return s, fmt.Errorf("epoch %d, step %d: %w", epoch, step, errGroupStopped)
			}
		}
		if l := batchLoss / float64(n); math.IsNaN(l) || math.IsInf(l, 0) {
			return s, fmt.Errorf("epoch %d, step %d: %w: loss is %v", epoch, step, ErrDiverged, l)
		}
		s.Images += n
		lossSum += batchLoss
		correct += batchCorrect
		s.TrainTime = time.Since(start)
		s.TrainLoss, s.TrainAcc = lossSum/float64(s.Images), float64(correct)/float64(s.Images)
		p.step(epoch, step, loader.Batches(), done+step, s.TrainLoss, s.TrainAcc, s.ImagesPerSecond())
		if ctx.Err() != nil {
			return s, fmt.Errorf("epoch %d, step %d: %w", epoch, step, context.Cause(ctx))
		}
	}
	return s, nil
}

// interrupted saves the checkpoint, if asked for, of a run stopped by its
// context after epochs finished epochs, and returns err with the outcome.
func (m *Model) interrupted(err error, epochs int, save string) error {
	if save == "" {
		return fmt.Errorf("stopped at %w (no checkpoint path given)", err)
	}
	if serr := m.Save(save, epochs); serr != nil {
		return fmt.Errorf("stopped at %w; saving the checkpoint failed: %v", err, serr)
	}
	return fmt.Errorf("stopped at %w; checkpoint of %d finished epochs saved to %s", err, epochs, save)
}
