package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/bench"
	"github.com/tensorforge/tensorforge/classify"
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
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "CPU worker threads")
	data := dataFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
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
	fmt.Fprintf(env.stdout, "%4s  %12s  %12s  %12s  %10s  %10s\n", "step", d0+" loss", d1+" loss", "|difference|", d0+" ms", d1+" ms")
	build := func(dev tensor.Device) (*classify.Model, error) { return alexnet.New(dev, cfg) }
	c, err := bench.Compare(ctx, devs, build, loader.Epoch(0), func(s bench.StepPair) {
		fmt.Fprintf(env.stdout, "%4d  %12.6f  %12.6f  %12.2e  %10.1f  %10.1f\n", s.Step, s.Loss[0], s.Loss[1], math.Abs(s.Loss[0]-s.Loss[1]), s.Ms[0], s.Ms[1])
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "largest parameter difference after %d steps: %.3g in %s (largest |value| there %.3g)\n",
		len(c.Steps), c.MaxDiff, c.MaxDiffParam, c.MaxDiffScale)
	_, err = fmt.Fprintf(env.stdout, "%s is %.1fx as fast as %s (median step, the first left out)\n", d1, c.Speedup(), d0)
	return err
}
