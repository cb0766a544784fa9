package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/tensorforge/tensorforge/internal/buildinfo"
	"github.com/tensorforge/tensorforge/tensor"
)

// Options say what Run measures and how long it may take.
type Options struct {
	// Devices are the devices to compare; the first CPU among them is the
	// baseline of the speedup column.
	Devices []tensor.Device
	// Size is the image side AlexNet runs at (224 in the book).
	Size int
	// Batches are the batch sizes of the whole-model rows on every device;
	// GPUBatches are added on the GPU only. The layer rows and the step
	// breakdown use the largest of Batches.
	Batches, GPUBatches []int
	// Sweep and GPUSweep are the batch sizes of the batch-size sweep, on
	// every device and on the GPU only.
	Sweep, GPUSweep []int
	// Repeat is how many timed runs each figure is the median of; Budget
	// stops repeating a slow case once it has run that long.
	Repeat int
	Budget time.Duration
	// PeakTime is how long each peak probe runs.
	PeakTime time.Duration
	// Sections chooses what runs: any of "peak", "gemm", "layers",
	// "model", "profile", "sweep"; nil means all. Percentages of peak
	// need "peak".
	Sections []string
	// Precision is that of every product measured: the GEMM rows, the
	// layers, the model, its breakdown and the sweep. Each device must
	// run it (tensor.Device's GemmPrecision).
	Precision tensor.Precision
	// Log, when set, gets a line per measurement as it finishes.
	Log io.Writer
}

// AllSections lists Options.Sections' names in the order Run measures them.
var AllSections = []string{"peak", "gemm", "layers", "model", "profile", "sweep"}

// Report is everything Run measured, ready for WriteText or encoding/json,
// and what a comparison of saved runs reads back (see Load).
type Report struct {
	// Format is ReportFormat for reports written since runs record their
	// host, commit, precision and spread; 0 in older files.
	Format    int    `json:"format,omitempty"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	// Commit is the revision the binary was built from, "-dirty" when the
	// tree had changes, or the module version; empty when unknown.
	Commit   string        `json:"commit,omitempty"`
	Host     Host          `json:"host,omitzero"`
	Size     int           `json:"size"`
	Devices  []DeviceInfo  `json:"devices"`
	Rows     []Row         `json:"rows"`
	Profiles []StepProfile `json:"profiles,omitempty"`
	Sweep    []SweepPoint  `json:"sweep,omitempty"`
}

// DeviceInfo describes one compared device and its measured peaks.
type DeviceInfo struct {
	Name     string `json:"name"`
	Hardware string `json:"hardware"`
	// Peaks are the GFLOP/s of each of the device's probes, by name.
	Peaks map[string]float64 `json:"peaks_gflops,omitempty"`
	// Reference names the probe that "% of peak" divides by: the TF32
	// one for a GPU whose GEMM runs on TF32 tensor cores.
	Reference string `json:"reference_peak,omitempty"`
	// Precision is what the device's GEMMs compute in: "fp32" or "tf32".
	Precision string `json:"precision,omitempty"`
	// Driver is a GPU's driver version, such as "13.0".
	Driver string `json:"driver,omitempty"`
}

// Row is one operation measured on every device.
type Row struct {
	Op    string  `json:"op"`
	Shape string  `json:"shape"`
	FLOPs float64 `json:"flops"`
	Bytes float64 `json:"bytes,omitempty"`
	// Cells hold each device's figures, by device name; a device the row
	// is not meant for has none.
	Cells map[string]Cell `json:"devices"`
	// Speedup is the CPU's time over the GPU's, when both ran.
	Speedup float64 `json:"speedup,omitempty"`
}

// Cell is one operation's figures on one device.
type Cell struct {
	// Ms is the median run's time; MinMs and MaxMs the fastest and the
	// slowest of the Runs runs.
	Ms           float64 `json:"ms"`
	MinMs        float64 `json:"min_ms,omitempty"`
	MaxMs        float64 `json:"max_ms,omitempty"`
	Runs         int     `json:"runs"`
	GFLOPS       float64 `json:"gflops,omitempty"`
	GBPerSec     float64 `json:"gb_per_sec,omitempty"`
	ImagesPerSec float64 `json:"images_per_sec,omitempty"`
	// PctPeak is GFLOPS as a percentage of the device's reference peak.
	PctPeak float64 `json:"pct_peak,omitempty"`
	Err     string  `json:"error,omitempty"`
}

// Run measures what opts asks for on every device and returns the report.
// A measurement that fails on a device (a GPU out of memory) is recorded in
// its cell rather than stopping the run. When ctx is cancelled, Run stops
// before its next measurement and returns what it has with ctx's error.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if len(opts.Devices) == 0 {
		return nil, fmt.Errorf("bench: no devices to run on")
	}
	if len(opts.Batches) == 0 {
		return nil, fmt.Errorf("bench: no batch sizes")
	}
	want := map[string]bool{}
	for _, s := range opts.Sections {
		want[s] = true
	}
	on := func(s string) bool { return len(opts.Sections) == 0 || want[s] }
	r := &Report{
		Format: ReportFormat, Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(),
		Commit: buildinfo.Commit(), Host: thisHost(), Size: opts.Size,
	}
	for _, dev := range opts.Devices {
		if _, err := dev.GemmPrecision(opts.Precision); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", dev.Name(), err)
		}
		r.Devices = append(r.Devices, deviceInfo(dev, opts.Precision))
	}
	if on("peak") {
		r.measurePeaks(opts)
	}
	if err := r.measureOps(ctx, opts, on); err != nil {
		return r, err
	}
	// The sweep builds a model of its own after measureOps has dropped
	// its one: on the CPU, that one's memory would count in every peak.
	if on("sweep") {
		for _, dev := range opts.Devices {
			if err := ctx.Err(); err != nil {
				return r, err
			}
			sizes := opts.Sweep
			if dev.Name() == "cuda" {
				sizes = append(sizes, opts.GPUSweep...)
			}
			for _, p := range Sweep(NewModel(opts.Size, opts.Precision), dev, sizes, opts.Repeat, opts.Budget) {
				logf(opts.Log, "%s: sweep batch %d: %.1f images/s, peak %.0f MiB %s", p.Device, p.Batch, p.ImagesPerSec, float64(p.PeakBytes)/(1<<20), p.Err)
				r.Sweep = append(r.Sweep, p)
			}
		}
	}
	return r, nil
}

// measureOps fills the rows and the step breakdowns.
func (r *Report) measureOps(ctx context.Context, opts Options, on func(string) bool) error {
	model := NewModel(opts.Size, opts.Precision)
	largest := slices.Max(opts.Batches)
	var cases []Case
	if on("gemm") {
		cases = append(cases, GemmCases(opts.Precision)...)
	}
	if on("layers") {
		cases = append(cases, model.LayerCases([]int{largest})...)
	}
	if on("model") {
		mc, err := model.Cases(opts.Batches)
		if err != nil {
			return err
		}
		gc, err := model.Cases(opts.GPUBatches)
		if err != nil {
			return err
		}
		for i := range gc {
			gc[i].Only = "cuda"
		}
		cases = append(append(cases, mc...), gc...)
	}
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return err
		}
		if slices.ContainsFunc(opts.Devices, func(d tensor.Device) bool { return c.RunsOn(d.Name()) }) {
			r.Rows = append(r.Rows, r.measure(c, opts))
		}
	}
	if !on("profile") {
		return nil
	}
	for _, dev := range opts.Devices {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := Profile(model, dev, largest, opts.Repeat)
		if err != nil {
			logf(opts.Log, "%s: step breakdown: %v", dev.Name(), err)
			continue
		}
		logf(opts.Log, "%s: step breakdown at batch %d: %.1f ms per step", dev.Name(), largest, p.StepMs)
		r.Profiles = append(r.Profiles, *p)
	}
	return nil
}

// measurePeaks runs every probe of the compared devices and picks each
// device's reference peak.
func (r *Report) measurePeaks(opts Options) {
	for i, dev := range opts.Devices {
		peaks, err := PeaksOn(dev)
		if err != nil {
			logf(opts.Log, "%s: peak: %v", dev.Name(), err)
			continue
		}
		info := &r.Devices[i]
		for _, p := range peaks {
			tm, err := p.Time(dev, 1<<30, opts.PeakTime)
			if err != nil {
				logf(opts.Log, "%s: %v", p.Op(), err)
				continue
			}
			if info.Peaks == nil {
				info.Peaks = map[string]float64{}
			}
			info.Peaks[p.Name] = p.GFLOPS(tm.Time)
			if p.Precision == info.Precision {
				info.Reference = p.Name
			}
			logf(opts.Log, "%s: %.1f GFLOP/s", p.Op(), info.Peaks[p.Name])
		}
	}
}

// measure times c on every device it is meant for.
func (r *Report) measure(c Case, opts Options) Row {
	row := Row{Op: c.Op(), Shape: c.Shape, FLOPs: c.FLOPs, Bytes: c.Bytes, Cells: map[string]Cell{}}
	for i, dev := range opts.Devices {
		if !c.RunsOn(dev.Name()) {
			continue
		}
		var cell Cell
		tm, err := c.Time(dev, opts.Repeat, opts.Budget)
		if err != nil {
			cell.Err = err.Error()
			logf(opts.Log, "%s: %v", dev.Name(), err)
		} else {
			cell = Cell{Ms: ms(tm.Time), MinMs: ms(tm.Min), MaxMs: ms(tm.Max), Runs: tm.Runs}
			if c.FLOPs > 0 {
				cell.GFLOPS = c.GFLOPS(tm.Time)
				if ref := r.Devices[i].Peaks[r.Devices[i].Reference]; ref > 0 {
					cell.PctPeak = 100 * cell.GFLOPS / ref
				}
			}
			if c.Bytes > 0 {
				cell.GBPerSec = c.GBPerSec(tm.Time)
			}
			if c.Images > 0 {
				cell.ImagesPerSec = c.ImagesPerSec(tm.Time)
			}
			logf(opts.Log, "%s: %s %s: %.3f ms", dev.Name(), c.Op(), c.Shape, cell.Ms)
		}
		row.Cells[dev.Name()] = cell
	}
	cpu, gpu := row.Cells["cpu"], row.Cells["cuda"]
	if cpu.Ms > 0 && gpu.Ms > 0 {
		row.Speedup = cpu.Ms / gpu.Ms
	}
	return row
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
