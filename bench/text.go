package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report as plain-text tables: the peaks, the
// operations with every device side by side, each device's training-step
// breakdown and the batch-size sweep.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "tensorforge bench, %s, %s, AlexNet at %dx%d\n", r.Date, r.GoVersion, r.Size, r.Size)
	for _, d := range r.Devices {
		fmt.Fprintf(ew, "  %-5s %s; products in %s\n", d.Name, d.Hardware, d.Precision)
		for _, name := range slices.Sorted(maps.Keys(d.Peaks)) {
			mark := ""
			if name == d.Reference {
				mark = "  (the %-of-peak reference)"
			}
			fmt.Fprintf(ew, "        peak %-10s %9.1f GFLOP/s%s\n", name, d.Peaks[name], mark)
		}
	}
	if len(r.Rows) > 0 {
		fmt.Fprintln(ew)
		r.writeRows(ew)
	}
	for _, p := range r.Profiles {
		fmt.Fprintln(ew)
		p.writeText(ew)
	}
	if len(r.Sweep) > 0 {
		fmt.Fprintln(ew)
		r.writeSweep(ew)
	}
	return ew.err
}

// writeRows prints one line per operation: its size, then time, rate, share
// of peak and images/s on each device, then the GPU's speedup.
func (r *Report) writeRows(w io.Writer) {
	head := []string{"operation", "shape", "GFLOP"}
	for _, d := range r.Devices {
		head = append(head, d.Name+" ms", "GFLOP/s", "%peak", "img/s")
	}
	lines := [][]string{append(head, "speedup")}
	for _, row := range r.Rows {
		line := []string{row.Op, row.Shape, optional("%.3f", row.FLOPs/1e9)}
		for _, d := range r.Devices {
			c, ok := row.Cells[d.Name]
			switch {
			case !ok:
				line = append(line, "-", "", "", "")
			case c.Err != "":
				line = append(line, "error", "", "", "")
			default:
				rate := fmt.Sprintf("%.1f", c.GFLOPS)
				if c.GFLOPS == 0 && c.GBPerSec > 0 {
					rate = fmt.Sprintf("%.1f GB/s", c.GBPerSec)
				}
				line = append(line, fmt.Sprintf("%.3f", c.Ms), rate, optional("%.0f%%", c.PctPeak), optional("%.0f", c.ImagesPerSec))
			}
		}
		lines = append(lines, append(line, optional("%.1fx", row.Speedup)))
	}
	writeTable(w, lines, 2)
	for _, row := range r.Rows {
		for _, d := range r.Devices {
			if c := row.Cells[d.Name]; c.Err != "" {
				fmt.Fprintf(w, "error: %s on %s: %s\n", row.Op, d.Name, c.Err)
			}
		}
	}
}

// writeText prints the breakdown with each row's share of the step's
// time, FLOPs and memory, then the totals.
func (p *StepProfile) writeText(w io.Writer) {
	var totalMs, totalFLOPs float64
	var params, acts int64
	for _, r := range p.Rows {
		totalMs += r.ForwardMs + r.BackwardMs
		totalFLOPs += r.ForwardFLOPs + r.BackwardFLOPs
		params += r.ParamBytes
		acts += r.ActivationBytes
	}
	fmt.Fprintf(w, "training step on %s at batch %d, layer by layer (synced after each)\n", p.Device, p.Batch)
	lines := [][]string{{"layer", "output", "param MiB", "act MiB", "fwd GFLOP", "bwd GFLOP", "fwd ms", "bwd ms", "time%", "FLOP%", "GFLOP/s"}}
	for _, r := range p.Rows {
		rowMs, rowFLOPs := r.ForwardMs+r.BackwardMs, r.ForwardFLOPs+r.BackwardFLOPs
		out := "-"
		if r.Out != nil {
			out = strings.Trim(strings.ReplaceAll(fmt.Sprint(r.Out), " ", "x"), "[]")
		}
		lines = append(lines, []string{r.Name, out, mib(r.ParamBytes), mib(r.ActivationBytes),
			optional("%.2f", r.ForwardFLOPs/1e9), optional("%.2f", r.BackwardFLOPs/1e9),
			fmt.Sprintf("%.3f", r.ForwardMs), optional("%.3f", r.BackwardMs),
			fmt.Sprintf("%.1f", 100*rowMs/totalMs), optional("%.1f", 100*rowFLOPs/totalFLOPs),
			optional("%.1f", rowFLOPs/1e9/(rowMs/1e3))})
	}
	lines = append(lines, []string{"total", "", mib(params), mib(acts), "", "", fmt.Sprintf("%.1f", totalMs), "", "", "",
		fmt.Sprintf("%.1f", totalFLOPs/1e9/(totalMs/1e3))})
	writeTable(w, lines, 2)
	fmt.Fprintf(w, "uninstrumented step: %.1f ms (%.1f images/s); parameters take as much again for gradients (and momentum)\n",
		p.StepMs, float64(p.Batch)/(p.StepMs/1e3))
}

// writeSweep prints images/s and peak memory against batch size, one
// column group per device.
func (r *Report) writeSweep(w io.Writer) {
	var devs []string
	byBatch := map[int]map[string]SweepPoint{}
	var batches []int
	for _, p := range r.Sweep {
		if !slices.Contains(devs, p.Device) {
			devs = append(devs, p.Device)
		}
		if byBatch[p.Batch] == nil {
			byBatch[p.Batch] = map[string]SweepPoint{}
			batches = append(batches, p.Batch)
		}
		byBatch[p.Batch][p.Device] = p
	}
	slices.Sort(batches)
	fmt.Fprintln(w, "batch-size sweep, training step (peak memory: the process's VmHWM on the CPU, the memory pool's peak on a GPU)")
	head := []string{"batch"}
	for _, d := range devs {
		head = append(head, d+" ms", "img/s", "peak MiB")
	}
	lines := [][]string{head}
	for _, b := range batches {
		line := []string{fmt.Sprint(b)}
		for _, d := range devs {
			p, ok := byBatch[b][d]
			switch {
			case !ok:
				line = append(line, "-", "", "")
			case p.Err != "":
				line = append(line, "error", "", "")
			default:
				line = append(line, fmt.Sprintf("%.1f", p.StepMs), fmt.Sprintf("%.1f", p.ImagesPerSec), mib(p.PeakBytes))
			}
		}
		lines = append(lines, line)
	}
	writeTable(w, lines, 0)
	for _, p := range r.Sweep {
		if p.Err != "" {
			fmt.Fprintf(w, "error: batch %d on %s: %s\n", p.Batch, p.Device, p.Err)
		}
	}
}

// writeTable prints lines as columns, numbers right-aligned; the first
// left columns (names) are left-aligned.
func writeTable(w io.Writer, lines [][]string, left int) {
	width := make([]int, left)
	for _, l := range lines {
		for i := range min(left, len(l)) {
			width[i] = max(width[i], len(l[i]))
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, l := range lines {
		for i := range min(left, len(l)) {
			l[i] += strings.Repeat(" ", width[i]-len(l[i]))
		}
		fmt.Fprintln(tw, strings.Join(l, "\t")+"\t")
	}
	tw.Flush()
}

// optional formats v, or returns "" for 0 (a figure that does not apply).
func optional(format string, v float64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf(format, v)
}

func mib(b int64) string { return optional("%.1f", float64(b)/(1<<20)) }

// errWriter keeps the first write error, so the printing code above need
// not check each call.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
