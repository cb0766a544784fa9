package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/bench"
	"github.com/tensorforge/tensorforge/charts"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"github.com/tensorforge/tensorforge/internal/buildinfo"
	"github.com/tensorforge/tensorforge/tensor"
)

func runTrain(ctx context.Context, env *env, args []string) (err error) {
	fs := newFlagSet(env, "train", "",
		"Trains AlexNet on Fashion-MNIST with SGD, as Dive into Deep Learning 8.1 does,\n"+
			"reporting each epoch's loss, train and test accuracy, images/s and time.\n"+
			"Ctrl-C or SIGTERM stops after the current step, saves the checkpoint and\n"+
			"exits with status 1; a second Ctrl-C quits at once. A fresh run does not\n"+
			"replace an existing -save file unless -overwrite is given.")
	devFlags := addDeviceFlags(fs)
	epochs := fs.Int("epochs", 10, "epochs to run (more epochs, when resuming with -load)")
	batch := fs.Int("batch", 128, "images per step")
	lr := fs.Float64("lr", 0.01, "learning rate")
	momentum := fs.Float64("momentum", 0, "SGD momentum, in [0, 1)")
	decay := fs.Float64("weight-decay", 0, "L2 weight decay")
	data := dataFlag(fs)
	limit := fs.Int("limit", 0, "train on the first `N` training images only (0: all)")
	testLimit := fs.Int("test-limit", 0, "measure test accuracy on the first `N` test images only (0: all)")
	size := fs.Int("size", 224, "input height and width the 28x28 images are resized to (taken from -load's checkpoint when not given)")
	seed := fs.Uint64("seed", 1, "seed of the initial weights, the shuffling and the dropout masks")
	save := fs.String("save", "alexnet.safetensors", "checkpoint `file` written at the end and on Ctrl-C (empty: none)")
	overwrite := fs.Bool("overwrite", false, "let a fresh run (no -load, or -load of another file) replace an existing -save file")
	load := fs.String("load", "", "checkpoint `file` to resume from: weights, momentum and epoch count")
	plotPath := fs.String("plot", "", "`file` (.svg or .png) for the training curves, redrawn every epoch")
	every := fs.Int("log-every", 50, "steps between progress lines when the output is not a terminal (0: epoch lines only)")
	logPath := fs.String("log", "", "`file` the run's log is written to as JSON after every epoch: where it ran and each\nepoch's figures, for compare -logs")
	if err := parse(fs, args); err != nil {
		return err
	}
	sizeGiven := false
	fs.Visit(func(f *flag.Flag) { sizeGiven = sizeGiven || f.Name == "size" })
	sgd := tensor.SGDOptions{LR: float32(*lr), Momentum: float32(*momentum), WeightDecay: float32(*decay)}
	if err := checkTrainFlags(fs, *epochs, *batch, *limit, *testLimit, *every, *size, sgd); err != nil {
		return err
	}
	if err := checkPaths(*data, *load, *save, *plotPath, *overwrite); err != nil {
		return err
	}
	if *logPath != "" {
		if err := writable("log", *logPath); err != nil {
			return err
		}
	}
	group, err := joinGroup()
	if err != nil {
		return err
	}
	if group != nil {
		// A rank that fails ends the job, so that the others do not wait
		// for it forever; only rank 0 reports and writes files.
		defer func() {
			if err != nil {
				fmt.Fprintf(env.stderr, "alexnet: rank %d of %d: %v\n", group.Rank(), group.Size(), err)
				group.Abort(1)
			}
			err = errors.Join(err, group.Close())
		}()
		if group.Rank() != 0 {
			quiet := *env
			quiet.stdout = io.Discard
			env = &quiet
			*plotPath, *logPath = "", ""
		}
	}
	dev, err := devFlags.open(env)
	if err != nil {
		return err
	}

	cfg := alexnet.Config{Seed: *seed, SGD: sgd, Precision: devFlags.precision.p}
	if sizeGiven || *load == "" {
		cfg.Size = *size
	}
	m, done, err := buildModel(dev, cfg, *load)
	if err != nil {
		return err
	}
	train, test, err := loadData(ctx, env, *data)
	if err != nil {
		return err
	}
	defer m.Free()
	in := m.Input()
	fmt.Fprintf(env.stdout, "AlexNet on %s, %dx%d input, batch %d, lr %g, momentum %g, weight decay %g, seed %d\n",
		devFlags, in[1], in[2], *batch, *lr, *momentum, *decay, *seed)
	if group != nil {
		fmt.Fprintf(env.stdout, "data-parallel over %d processes, each taking its share of every batch\n", group.Size())
	}
	if done > 0 {
		fmt.Fprintf(env.stdout, "resuming from %s after %d epochs\n", *load, done)
	}
	o := classify.TrainOptions{
		Epochs: *epochs, Batch: *batch, Limit: *limit, TestLimit: *testLimit,
		Seed: *seed, Done: done, Save: *save,
		Progress: classify.NewProgress(env.stdout, env.stderr, *every),
	}
	if group != nil {
		o.Group = group
		if group.Rank() != 0 {
			o.Progress = nil
		}
	}
	runLog := &classify.RunLog{Batch: *batch, Seed: *seed, Meta: map[string]string{
		"model": fmt.Sprintf("AlexNet %dx%d", in[1], in[2]), "device": devFlags.String(),
		"hardware": bench.Describe(dev), "commit": buildinfo.Commit(), "precision": devFlags.precision.String(),
		"sgd": fmt.Sprintf("lr %g, momentum %g, weight decay %g", *lr, *momentum, *decay),
	}}
	o.AfterEpoch = func(history []classify.EpochStats) error {
		var errs []error
		if *plotPath != "" {
			errs = append(errs, charts.TrainingCurves(*plotPath, history))
		}
		if *logPath != "" {
			runLog.Epochs = history
			errs = append(errs, runLog.Save(*logPath))
		}
		return errors.Join(errs...)
	}
	start := time.Now()
	history, err := classify.Train(ctx, m, train, test, o)
	if errors.Is(err, classify.ErrDiverged) {
		return fmt.Errorf("%w (a smaller -lr may help; the checkpoint was not written)", err)
	}
	if err != nil {
		return err
	}
	if n := len(history); n > 0 {
		fmt.Fprintf(env.stdout, "done in %s; epoch %d: %s\n", time.Since(start).Round(time.Second), history[n-1].Epoch, history[n-1])
	}
	if *save != "" {
		fmt.Fprintf(env.stdout, "checkpoint saved to %s\n", *save)
	}
	if *plotPath != "" && len(history) > 0 {
		fmt.Fprintf(env.stdout, "training curves in %s\n", *plotPath)
	}
	return nil
}

// checkTrainFlags refuses numbers training cannot run with.
func checkTrainFlags(fs *flag.FlagSet, epochs, batch, limit, testLimit, every, size int, sgd tensor.SGDOptions) error {
	if err := noArgs(fs); err != nil {
		return err
	}
	for _, c := range []struct {
		name   string
		v, min int
	}{{"epochs", epochs, 0}, {"batch", batch, 1}, {"limit", limit, 0}, {"test-limit", testLimit, 0}, {"log-every", every, 0}} {
		if err := atLeast(c.name, c.v, c.min); err != nil {
			return err
		}
	}
	if epochs > classify.MaxEpochs {
		return usagef("-epochs %d: must be at most %d", epochs, classify.MaxEpochs)
	}
	if err := checkSize(size); err != nil {
		return err
	}
	finite := func(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
	switch {
	case !(sgd.LR > 0) || !finite(sgd.LR):
		return usagef("-lr %g: must be a positive number", sgd.LR)
	case !(sgd.Momentum >= 0 && sgd.Momentum < 1):
		return usagef("-momentum %g: must be in [0, 1)", sgd.Momentum)
	case !(sgd.WeightDecay >= 0) || !finite(sgd.WeightDecay):
		return usagef("-weight-decay %g: must be 0 or a positive number", sgd.WeightDecay)
	}
	return nil
}

// checkPaths refuses files and directories that are missing, output paths
// that could not be written, and a fresh run that would replace a
// checkpoint it did not load, before anything runs.
func checkPaths(data, load, save, plot string, overwrite bool) error {
	if data != "" {
		if err := existingDir("data", data); err != nil {
			return err
		}
	}
	if load != "" {
		if err := existingFile("load", load); err != nil {
			return err
		}
	}
	if save != "" {
		if err := writable("save", save); err != nil {
			return err
		}
		if err := replaces(save, load, overwrite); err != nil {
			return err
		}
	}
	if plot != "" {
		if err := charts.CheckPath(plot); err != nil {
			return usagef("-plot: %v", err)
		}
		if err := writable("plot", plot); err != nil {
			return err
		}
	}
	return nil
}

// replaces refuses a -save file that exists and is not the -load file
// (the same file however named), unless overwrite: a typo or a forgotten
// -load must not cost a finished training.
func replaces(save, load string, overwrite bool) error {
	if overwrite || !atomicfile.Replaces(save, load) {
		return nil
	}
	return usagef("-save %s: the file exists and this run did not load it; pass -load %s to resume from it, -overwrite to replace it, or another -save", save, save)
}

// buildModel returns a fresh model of cfg, or with a checkpoint path the
// model it holds (cfg's sizes, where set, must match it) and the number
// of epochs it was trained for.
func buildModel(dev tensor.Device, cfg alexnet.Config, load string) (*classify.Model, int, error) {
	if load == "" {
		cfg.InChannels, cfg.Classes = 1, fashionmnist.NumClasses
		m, err := alexnet.New(dev, cfg)
		return m, 0, err
	}
	m, info, err := alexnet.Load(dev, load, cfg)
	if err != nil {
		return nil, 0, err
	}
	return m, info.Epoch, nil
}

// loadData finds and reads Fashion-MNIST, telling about downloads.
func loadData(ctx context.Context, env *env, dir string) (train, test *fashionmnist.Dataset, err error) {
	src := fashionmnist.Source{Dir: dir, Logf: func(format string, args ...any) {
		fmt.Fprintf(env.stderr, format+"\n", args...)
	}}
	return src.Load(ctx)
}
