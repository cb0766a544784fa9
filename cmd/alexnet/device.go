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
	name    string
	threads int
}

func addDeviceFlags(fs *flag.FlagSet) *deviceFlags {
	d := new(deviceFlags)
	fs.StringVar(&d.name, "device", "cpu", "device to run on: cpu or cuda (cuda needs a binary built with -tags cuda)")
	fs.IntVar(&d.threads, "threads", runtime.GOMAXPROCS(0), "CPU worker threads (results are reproducible for a given seed and thread count)")
	return d
}

// open opens the device: the CPU with its own worker count. A name no device is
// registered under is a usage error carrying tensor.Open's explanation;
// a device that fails to start (no GPU, no driver) is a runtime error.
func (d *deviceFlags) open() (tensor.Device, error) {
	if d.threads < 1 {
		return nil, usagef("-threads %d: must be at least 1", d.threads)
	}
	if d.name == "cpu" {
		return tensor.NewCPU(d.threads), nil
	}
	dev, err := tensor.Open(d.name)
	if err != nil {
		if !slices.Contains(tensor.Devices(), d.name) {
			return nil, usageError{fmt.Errorf("-device: %w", err)}
		}
		return nil, fmt.Errorf("-device %s: %w", d.name, err)
	}
	return dev, nil
}

// String names the device, with the thread count where it matters.
func (d *deviceFlags) String() string {
	if d.name == "cpu" {
		return fmt.Sprintf("cpu (%d threads)", d.threads)
	}
	return d.name
}
