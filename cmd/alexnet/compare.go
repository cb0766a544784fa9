package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/bench"
	"github.com/tensorforge/tensorforge/charts"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"github.com/tensorforge/tensorforge/internal/buildinfo"
	"github.com/tensorforge/tensorforge/internal/parallel"
	"github.com/tensorforge/tensorforge/tensor"
)

func runCompare(ctx context.Context, env *env, args []string) error {
	fs := newFlagSet(env, "compare", "",
		"Builds AlexNet on two devices (the CPU and the GPU by default) from the same\n"+
			"seed, trains both for -steps steps on the same Fashion-MNIST batches, and\n"+
			"prints the two loss curves side by side, the largest difference between\n"+
			"the two sets of weights at the end, and the second device's speedup.\n"+
			"Without a GPU it fails, naming the device it could not open.")
	steps := fs.Int("steps", 10, "training steps to take on each device")
	batch := fs.Int("batch", 128, "images per step")
	size := fs.Int("size", 224, "input height and width the images are resized to")
	seed := fs.Uint64("seed", 1, "seed of the initial weights, the dropout masks and the batch order")
	devices := fs.String("devices", "cpu,cuda", "the two devices to compare, comma-separated")
	exact := fs.Bool("exact", false, "run the GPU's GEMMs in exact FP32 instead of on TF32 tensor cores")
	precisions := fs.String("precision", "fp32", "arithmetic of the products: fp32 or bf16 for both devices, or one for each,\ncomma-separated: -devices cpu,cpu -precision fp32,bf16 compares the two on one CPU")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "CPU worker threads")
	data := dataFlag(fs)
	jsonPath := fs.String("json", "", "also write the comparison as JSON to this `file`")
	plotPath := fs.String("plot", "", "`file` (.svg or .png) to draw the two loss curves in, step by step;\nwith -logs, the two runs' training curves")
	logs := fs.Bool("logs", false, "train nothing: put the two training logs given as arguments (train -log files,\nfrom one machine or two) side by side")
	if err := parse(fs, args); err != nil {
		return err
	}
	for name, path := range map[string]string{"json": *jsonPath, "plot": *plotPath} {
		if path == "" {
			continue
		}
		if err := writable(name, path); err != nil {
			return err
		}
	}
	if *plotPath != "" {
		if err := charts.CheckPath(*plotPath); err != nil {
			return usagef("-plot: %v", err)
		}
	}
	if *logs {
		return compareLogs(env, fs.Args(), *plotPath)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"steps", *steps}, {"batch", *batch}, {"threads", *threads}} {
		if err := atLeast(c.name, c.v, 1); err != nil {
			return err
		}
	}
	if err := checkSize(*size); err != nil {
		return err
	}
	names := strings.Split(*devices, ",")
	if len(names) != 2 {
		return usagef("-devices %q: want two devices, such as cpu,cuda", *devices)
	}
	precs, err := parsePrecisions(*precisions)
	if err != nil {
		return err
	}
	parallel.SetWorkers(*threads)
	var devs [2]tensor.Device
	for i, name := range names {
		name = strings.TrimSpace(name)
		dev, err := openNamed("compare needs the "+name+" device", name)
		if err != nil {
			return err
		}
		devs[i] = dev
		if e, ok := dev.(interface{ SetExactGemm(bool) }); ok {
			e.SetExactGemm(*exact)
		}
		if err := (&precisionFlag{precs[i]}).on(env, dev); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	train, _, err := loadData(ctx, env, *data)
	if err != nil {
		return err
	}
	loader, err := classify.NewLoader(train, classify.BatchOptions{Size: *batch, Shuffle: true, Seed: *seed, Limit: *steps * *batch})
	if err != nil {
		return err
	}
	cfg := fashionMNISTConfig(*size)
	cfg.Seed = *seed

	// Fixed-width columns, so each step prints as it completes.
	d0, d1 := devs[0].Name(), devs[1].Name()
	if precs[0] != precs[1] || precs[0] != tensor.FP32 {
		d0, d1 = d0+" "+precs[0].String(), d1+" "+precs[1].String()
	}
	fmt.Fprintf(env.stdout, "%4s  %12s  %12s  %12s  %10s  %10s\n", "step", d0+" loss", d1+" loss", "|difference|", d0+" ms", d1+" ms")
	build := func(side int, dev tensor.Device) (*classify.Model, error) {
		c := cfg
		c.Precision = precs[side]
		return alexnet.New(dev, c)
	}
	c, err := bench.Compare(ctx, devs, build, loader.Epoch(0), func(s bench.StepPair) {
		fmt.Fprintf(env.stdout, "%4d  %12.6f  %12.6f  %12.2e  %10.1f  %10.1f\n", s.Step, s.Loss[0], s.Loss[1], math.Abs(s.Loss[0]-s.Loss[1]), s.Ms[0], s.Ms[1])
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "largest parameter difference after %d steps: %.3g in %s (largest |value| there %.3g)\n",
		len(c.Steps), c.MaxDiff, c.MaxDiffParam, c.MaxDiffScale)
	if _, err := fmt.Fprintf(env.stdout, "%s is %.1fx as fast as %s (median step, the first left out)\n", d1, c.Speedup(), d0); err != nil {
		return err
	}
	if *plotPath != "" {
		losses := [2][]float64{}
		for _, s := range c.Steps {
			losses[0], losses[1] = append(losses[0], s.Loss[0]), append(losses[1], s.Loss[1])
		}
		if err := charts.Losses(*plotPath, []string{d0, d1}, losses[:]); err != nil {
			return err
		}
	}
	if *jsonPath == "" {
		return nil
	}
	c.Hardware = [2]string{bench.Describe(devs[0]), bench.Describe(devs[1])}
	c.Commit, c.Batch, c.Size, c.Seed = buildinfo.Commit(), *batch, *size, *seed
	return writeJSON(*jsonPath, c)
}

// parsePrecisions reads compare's -precision: one precision for both
// devices, or two, comma-separated.
func parsePrecisions(list string) ([2]tensor.Precision, error) {
	var out [2]tensor.Precision
	parts := strings.Split(list, ",")
	if len(parts) > 2 {
		return out, usagef("-precision %q: want one precision, or one for each device", list)
	}
	for i, s := range parts {
		p, err := tensor.ParsePrecision(strings.TrimSpace(s))
		if err != nil {
			return out, usagef("-precision: %v", err)
		}
		out[i] = p
	}
	if len(parts) == 1 {
		out[1] = out[0]
	}
	return out, nil
}

// compareLogs prints two training logs' epochs side by side and, with
// plot, draws their curves on one picture.
func compareLogs(env *env, paths []string, plot string) error {
	if len(paths) != 2 {
		return usagef("-logs: give two training logs (train -log files), got %d", len(paths))
	}
	var logs [2]*classify.RunLog
	for i, p := range paths {
		l, err := classify.LoadRunLog(p)
		if err != nil {
			return err
		}
		logs[i] = l
	}
	for i, l := range logs {
		fmt.Fprintf(env.stdout, "[%d] %s: %s on %s (%s), batch %d, %s\n", i, paths[i], l.Meta["model"], l.Meta["device"], l.Meta["hardware"], l.Batch, l.Meta["sgd"])
	}
	fmt.Fprintf(env.stdout, "%5s  %10s %10s  %10s %10s  %10s %10s  %9s %9s\n", "epoch", "[0] loss", "[1] loss", "[0] train", "[1] train", "[0] test", "[1] test", "[0] img/s", "[1] img/s")
	byEpoch := map[int]classify.EpochStats{}
	for _, e := range logs[1].Epochs {
		byEpoch[e.Epoch] = e
	}
	var worst float64
	for _, a := range logs[0].Epochs {
		b, ok := byEpoch[a.Epoch]
		if !ok {
			continue
		}
		worst = max(worst, math.Abs(a.TestAcc-b.TestAcc))
		fmt.Fprintf(env.stdout, "%5d  %10.4f %10.4f  %10.4f %10.4f  %10.4f %10.4f  %9.1f %9.1f\n", a.Epoch,
			a.TrainLoss, b.TrainLoss, a.TrainAcc, b.TrainAcc, a.TestAcc, b.TestAcc, a.ImagesPerSecond(), b.ImagesPerSecond())
	}
	fmt.Fprintf(env.stdout, "largest difference in test accuracy at one epoch: %.4f\n", worst)
	if plot == "" {
		return nil
	}
	runs := []charts.Run{{Label: "[0]", History: logs[0].Epochs}, {Label: "[1]", History: logs[1].Epochs}}
	return charts.Overlay(plot, runs)
}

// writeJSON writes v to path as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}
