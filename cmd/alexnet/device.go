package main

import (
	"flag"
	"fmt"
	"runtime"
	"slices"

	_ "github.com/tensorforge/tensorforge/cuda" // registers "cuda" in -tags cuda builds; empty otherwise
	"github.com/tensorforge/tensorforge/tensor"
)

// deviceFlags are the flags of every command that runs the model: where,
// and on how many CPU threads.
type deviceFlags struct {
	name      string
	threads   int
	precision precisionFlag
}

func addDeviceFlags(fs *flag.FlagSet) *deviceFlags {
	d := new(deviceFlags)
	fs.StringVar(&d.name, "device", "cpu", "device to run on: cpu or cuda (cuda needs a binary built with -tags cuda)")
	fs.IntVar(&d.threads, "threads", runtime.GOMAXPROCS(0), "CPU worker threads (results are reproducible for a given seed and thread count)")
	fs.Var(&d.precision, "precision", "arithmetic of the convolutions' and linear layers' products: fp32, or bf16\n(bfloat16 operands, float32 sums; weights, gradients and checkpoints stay float32)")
	return d
}

// open opens the device: the CPU with its own worker count. A name no device is
// registered under is a usage error carrying tensor.Open's explanation;
// a device that fails to start (no GPU, no driver) or cannot run the
// precision is a runtime error. A device that runs the precision on a
// slower fallback says so on stderr.
func (d *deviceFlags) open(env *env) (tensor.Device, error) {
	if d.threads < 1 {
		return nil, usagef("-threads %d: must be at least 1", d.threads)
	}
	var dev tensor.Device
	var err error
	if d.name == "cpu" {
		if dev, err = tensor.OpenCPU(d.threads); err != nil {
			return nil, err
		}
	} else if dev, err = tensor.Open(d.name); err != nil {
		if !slices.Contains(tensor.Devices(), d.name) {
			return nil, usageError{fmt.Errorf("-device: %w", err)}
		}
		return nil, fmt.Errorf("-device %s: %w", d.name, err)
	}
	if err := d.precision.on(env, dev); err != nil {
		return nil, err
	}
	return dev, nil
}

// String names the device, with the thread count where it matters and the
// precision when it is not the default.
func (d *deviceFlags) String() string {
	s := d.name
	if d.name == "cpu" {
		s = fmt.Sprintf("cpu (%d threads)", d.threads)
	}
	if d.precision.p != tensor.FP32 {
		s += ", " + d.precision.String()
	}
	return s
}

// precisionFlag is a -precision flag: fp32 or bf16.
type precisionFlag struct{ p tensor.Precision }

func (f *precisionFlag) String() string { return f.p.String() }

func (f *precisionFlag) Set(s string) (err error) {
	f.p, err = tensor.ParsePrecision(s)
	return err
}

// on checks that dev runs the precision, and says once, on stderr, when
// it runs it on a slower fallback.
func (f *precisionFlag) on(env *env, dev tensor.Device) error {
	note, err := dev.GemmPrecision(f.p)
	if err != nil {
		return fmt.Errorf("-precision %v: %w", f.p, err)
	}
	if note != "" {
		fmt.Fprintf(env.stderr, "-precision %v: %s\n", f.p, note)
	}
	return nil
}
