package bench

import (
	"runtime"

	"github.com/tensorforge/tensorforge/internal/parallel"
	"github.com/tensorforge/tensorforge/internal/procfs"
	"github.com/tensorforge/tensorforge/tensor"
)

// ReportFormat is the Format of the reports Run writes.
const ReportFormat = 2

// Host describes the machine a report was measured on: what a comparison
// of runs from two machines needs to say which is which.
type Host struct {
	// CPU is the processor's model name and Family its family number
	// (25 for AMD's Zen 4, 26 for Zen 5), where the system tells them.
	CPU    string `json:"cpu,omitempty"`
	Family int    `json:"cpu_family,omitempty"`
	// CPUs is the number of logical CPUs; Threads the CPU worker threads
	// the run used.
	CPUs    int    `json:"cpus"`
	Threads int    `json:"threads"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// thisHost describes the machine the process runs on.
func thisHost() Host {
	h := Host{CPUs: runtime.NumCPU(), Threads: parallel.Workers(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	h.CPU, h.Family, _ = procfs.CPU()
	return h
}

// driverer reports a GPU's driver version.
type driverer interface{ Driver() string }

// deviceInfo describes dev running products in precision p, before its
// peaks are measured.
func deviceInfo(dev tensor.Device, p tensor.Precision) DeviceInfo {
	d := DeviceInfo{Name: dev.Name(), Hardware: Describe(dev), Precision: p.String()}
	if p == tensor.FP32 && !exactGemm(dev) {
		d.Precision = "tf32"
	}
	if dr, ok := dev.(driverer); ok {
		d.Driver = dr.Driver()
	}
	return d
}
