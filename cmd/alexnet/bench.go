package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tensorforge/tensorforge/bench"
	"github.com/tensorforge/tensorforge/charts"
	"github.com/tensorforge/tensorforge/internal/parallel"
	"github.com/tensorforge/tensorforge/tensor"
)

func runBench(ctx context.Context, env *env, args []string) error {
	fs := newFlagSet(env, "bench", "",
		"Measures each device's FMA peak, AlexNet's GEMMs, convolutions and max-pools\n"+
			"alone, the whole forward pass and training step, a training step layer by\n"+
			"layer, and images/s and memory against batch size, on every device given.\n"+
			"Prints one table with the devices side by side: time, GFLOP/s, % of the\n"+
			"device's measured peak, and the GPU's speedup over the CPU. Progress goes\n"+
			"to stderr. A full run takes a few minutes on a 2-core CPU; -only, -batch and\n"+
			"-repeat make it shorter.")
	devices := fs.String("devices", "all", "comma-separated devices to compare, or all: every device this binary has that opens")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "CPU worker threads")
	var precision precisionFlag
	fs.Var(&precision, "precision", "arithmetic of every product measured: fp32, or bf16 (bfloat16 operands, float32 sums);\nrun once in each and put the two reports side by side with -compare")
	size := fs.Int("size", 224, "image height and width AlexNet runs at")
	batch := intsFlag(bench.Batches)
	fs.Var(&batch, "batch", "comma-separated batch sizes of the model rows; the layer rows and the step breakdown use the largest")
	gpuBatch := intsFlag(bench.GPUBatches)
	fs.Var(&gpuBatch, "gpu-batch", "comma-separated batch sizes of model rows added on the GPU only")
	sweep := intsFlag{16, 32, 64, 128}
	fs.Var(&sweep, "sweep", "comma-separated batch sizes of the batch-size sweep")
	gpuSweep := intsFlag{256, 512}
	fs.Var(&gpuSweep, "gpu-sweep", "comma-separated batch sizes added to the sweep on the GPU only")
	repeat := fs.Int("repeat", 3, "timed runs per figure, after one warm-up run (the median is shown)")
	budget := fs.Duration("budget", 30*time.Second, "stop repeating a case once its timed runs have taken this long")
	peakTime := fs.Duration("peak-time", time.Second, "how long each peak probe runs")
	only := fs.String("only", "", "comma-separated sections to run, of "+strings.Join(bench.AllSections, ",")+" (default all)")
	jsonPath := fs.String("json", "", "also write the report as JSON to this file; - prints JSON instead of the tables")
	compare := fs.Bool("compare", false, "measure nothing: put the saved runs given as arguments (files -json wrote)\nside by side, a column per device of each run")
	plotDir := fs.String("plot", "", "`directory` to draw the pictures into: step.svg, sweep-throughput.svg,\nsweep-memory.svg and gemm.svg, for the run or, with -compare, the runs")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *plotDir != "" {
		if err := existingDir("plot", *plotDir); err != nil {
			return err
		}
	}
	if *compare {
		return compareRuns(env, fs.Args(), *plotDir)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := checkSize(*size); err != nil {
		return err
	}
	if err := atLeast("threads", *threads, 1); err != nil {
		return err
	}
	if err := atLeast("repeat", *repeat, 1); err != nil {
		return err
	}
	if len(batch) == 0 {
		return usagef("-batch: give at least one batch size")
	}
	for _, list := range []struct {
		name  string
		sizes intsFlag
	}{{"batch", batch}, {"gpu-batch", gpuBatch}, {"sweep", sweep}, {"gpu-sweep", gpuSweep}} {
		for _, b := range list.sizes {
			if err := atLeast(list.name, b, 1); err != nil {
				return err
			}
		}
	}
	if *jsonPath != "" && *jsonPath != "-" {
		if err := writable("json", *jsonPath); err != nil {
			return err
		}
	}
	sections, err := parseSections(*only)
	if err != nil {
		return err
	}
	parallel.SetWorkers(*threads)
	devs, err := openDevices(env, *devices)
	if err != nil {
		return err
	}
	for _, dev := range devs {
		if err := precision.on(env, dev); err != nil {
			return fmt.Errorf("%s: %w", dev.Name(), err)
		}
	}
	report, runErr := bench.Run(ctx, bench.Options{
		Devices: devs, Size: *size,
		Batches: batch, GPUBatches: gpuBatch,
		Sweep: sweep, GPUSweep: gpuSweep,
		Repeat: *repeat, Budget: *budget, PeakTime: *peakTime,
		Sections: sections, Precision: precision.p, Log: env.stderr,
	})
	if report == nil {
		return runErr
	}
	// An interrupted run still prints what it measured.
	if err := writeReport(env, report, *jsonPath); err != nil {
		return err
	}
	if *plotDir != "" {
		if err := drawBench(env, *plotDir, bench.SeriesOf("", report)); err != nil {
			return err
		}
	}
	return runErr
}

// compareRuns prints saved runs side by side and, with dir, draws their
// pictures there.
func compareRuns(env *env, paths []string, dir string) error {
	if len(paths) == 0 {
		return usagef("-compare: give the JSON files of the runs to compare")
	}
	for _, p := range paths {
		if strings.HasPrefix(p, "-") {
			return usagef("-compare: %q after the files: flags go before them", p)
		}
	}
	var runs []*bench.Report
	for _, p := range paths {
		r, err := bench.Load(p)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	c, err := bench.CompareRuns(paths, runs)
	if err != nil {
		if dir != "" {
			// A run without a partner still has pictures to draw.
			var series []bench.Series
			for i, r := range runs {
				series = append(series, bench.SeriesOf(paths[i], r)...)
			}
			err = errors.Join(err, drawBench(env, dir, series))
		}
		return err
	}
	if err := c.WriteText(env.stdout); err != nil {
		return err
	}
	if dir == "" {
		return nil
	}
	return drawBench(env, dir, c.Series)
}

// drawBench draws the series' pictures into dir and says which.
func drawBench(env *env, dir string, series []bench.Series) error {
	written, err := charts.Bench(dir, series)
	for _, p := range written {
		fmt.Fprintf(env.stderr, "drew %s\n", p)
	}
	return err
}

// writeReport prints the report's tables, or its JSON when path is "-",
// and writes the JSON to path when it names a file.
func writeReport(env *env, r *bench.Report, path string) error {
	if path != "-" {
		if err := r.WriteText(env.stdout); err != nil {
			return err
		}
	}
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = env.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// openDevices opens the devices a comma-separated list names. "all" means
// every device compiled in that opens: a CUDA build on a machine without a
// GPU says so on stderr and goes on with the CPU. A device named
// explicitly must open.
func openDevices(env *env, list string) ([]tensor.Device, error) {
	var devs []tensor.Device
	if list == "all" {
		for _, name := range tensor.Devices() {
			dev, err := bench.Open(name)
			if err != nil {
				fmt.Fprintf(env.stderr, "alexnet bench: leaving out %s: %v\n", name, err)
				continue
			}
			devs = append(devs, dev)
		}
		return devs, nil
	}
	for name := range strings.SplitSeq(list, ",") {
		dev, err := openNamed("-devices", strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		devs = append(devs, dev)
	}
	return devs, nil
}

// openNamed opens the device called name, prefixing an error with what:
// a name no device is registered under is a usage error, a device that
// fails to start (no GPU, no driver) a runtime error.
func openNamed(what, name string) (tensor.Device, error) {
	dev, err := bench.Open(name)
	if err != nil {
		err = fmt.Errorf("%s: %w", what, err)
		if !slices.Contains(tensor.Devices(), name) {
			return nil, usageError{err}
		}
		return nil, err
	}
	return dev, nil
}

// parseSections checks a comma-separated list of bench.AllSections; ""
// means all of them (nil).
func parseSections(list string) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	var out []string
	for s := range strings.SplitSeq(list, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(bench.AllSections, s) {
			return nil, usagef("-only: unknown section %q (want some of %s)", s, strings.Join(bench.AllSections, ","))
		}
		out = append(out, s)
	}
	return out, nil
}

// intsFlag is a comma-separated list of integers; an empty string is the
// empty list.
type intsFlag []int

func (f *intsFlag) String() string {
	if f == nil {
		return ""
	}
	s := make([]string, len(*f))
	for i, v := range *f {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (f *intsFlag) Set(list string) error {
	*f = nil
	if list == "" {
		return nil
	}
	for s := range strings.SplitSeq(list, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		*f = append(*f, v)
	}
	return nil
}
