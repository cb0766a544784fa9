package bench

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// Series is one device of one saved run: a column of a RunComparison.
type Series struct {
	// Label names it: the run's name and the device, "gpu.json cuda".
	Label  string
	Run    *Report
	Device DeviceInfo
}

// SeriesOf returns a series for each device of r, labelled with name and
// the device ("gpu.json cuda"), or the device alone when name is empty.
func SeriesOf(name string, r *Report) []Series {
	var out []Series
	for _, d := range r.Devices {
		label := d.Name
		if name != "" {
			label = name + " " + d.Name
		}
		out = append(out, Series{Label: label, Run: r, Device: d})
	}
	return out
}

// Profile returns the series' training-step breakdown, or nil.
func (s Series) Profile() *StepProfile {
	for i := range s.Run.Profiles {
		if s.Run.Profiles[i].Device == s.Device.Name {
			return &s.Run.Profiles[i]
		}
	}
	return nil
}

// Sweep returns the series' batch-size sweep points that were measured.
func (s Series) Sweep() []SweepPoint {
	var out []SweepPoint
	for _, p := range s.Run.Sweep {
		if p.Device == s.Device.Name && p.Err == "" {
			out = append(out, p)
		}
	}
	return out
}

// Cell returns the series' figures for the operation op, if it ran.
func (s Series) Cell(op string) (Cell, bool) {
	for _, row := range s.Run.Rows {
		if row.Op == op {
			c, ok := row.Cells[s.Device.Name]
			return c, ok && c.Err == ""
		}
	}
	return Cell{}, false
}

// RunComparison puts saved runs side by side: every device of every run is
// a series, and every operation that at least two series measured on the
// same shape is a row.
type RunComparison struct {
	Series []Series
	Rows   []ComparedRow
}

// ComparedRow is one operation across the series.
type ComparedRow struct {
	Op, Shape string
	// Cells has one entry per series, nil where the series lacks the row
	// or failed it.
	Cells []*Cell
	// Ratio[i] is series 0's time over series i's: how many times as fast
	// series i ran (1 for series 0 itself); 0 where either lacks the row.
	Ratio []float64
	// Noise[i] reports that series 0's and series i's runs overlap (the
	// slowest run of the faster is slower than the fastest of the other):
	// the difference is within the runs' own spread. Runs saved without
	// their spread are never marked.
	Noise []bool
}

// CompareRuns compares saved reports, named by names (file names, say).
// Series 0, the baseline of every ratio, is the first device of the first
// run. It is an error for the runs to share no row.
func CompareRuns(names []string, runs []*Report) (*RunComparison, error) {
	if len(runs) != len(names) || len(runs) == 0 {
		return nil, fmt.Errorf("bench: %d names for %d runs", len(names), len(runs))
	}
	c := &RunComparison{}
	labels := shortNames(names)
	for i, r := range runs {
		c.Series = append(c.Series, SeriesOf(labels[i], r)...)
	}
	type key struct{ op, shape string }
	index := map[key]int{}
	for si, s := range c.Series {
		for _, row := range s.Run.Rows {
			cell, ok := row.Cells[s.Device.Name]
			if !ok || cell.Err != "" || cell.Ms <= 0 {
				continue
			}
			k := key{row.Op, row.Shape}
			i, seen := index[k]
			if !seen {
				i = len(c.Rows)
				index[k] = i
				c.Rows = append(c.Rows, ComparedRow{Op: row.Op, Shape: row.Shape, Cells: make([]*Cell, len(c.Series))})
			}
			c.Rows[i].Cells[si] = &cell
		}
	}
	shared := c.Rows[:0]
	for _, row := range c.Rows {
		n := 0
		for _, cell := range row.Cells {
			if cell != nil {
				n++
			}
		}
		if n >= 2 {
			shared = append(shared, row)
		}
	}
	c.Rows = shared
	if len(c.Rows) == 0 {
		return nil, fmt.Errorf("the runs share no operation measured on the same shape (%s)", strings.Join(c.labels(), "; "))
	}
	for i := range c.Rows {
		c.Rows[i].compare()
	}
	return c, nil
}

// compare fills the row's ratios and noise marks against series 0.
func (row *ComparedRow) compare() {
	row.Ratio = make([]float64, len(row.Cells))
	row.Noise = make([]bool, len(row.Cells))
	base := row.Cells[0]
	for i, c := range row.Cells {
		if base == nil || c == nil {
			continue
		}
		row.Ratio[i] = base.Ms / c.Ms
		if base.MaxMs > 0 && c.MaxMs > 0 {
			row.Noise[i] = base.MinMs <= c.MaxMs && c.MinMs <= base.MaxMs
		}
	}
}

func (c *RunComparison) labels() []string {
	var out []string
	for _, s := range c.Series {
		out = append(out, s.Label)
	}
	return out
}

// WriteText prints the series (what each ran on, at which commit and
// precision) and one line per row: each series' time and its ratio to
// series 0, "~" marking a difference within the runs' spread.
func (c *RunComparison) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	precisions := map[string]bool{}
	for i, s := range c.Series {
		hw := s.Device.Hardware
		if s.Run.Host.CPU != "" && s.Device.Name == "cpu" {
			hw = fmt.Sprintf("%s (family %d), %d threads", s.Run.Host.CPU, s.Run.Host.Family, s.Run.Host.Threads)
		}
		if s.Device.Driver != "" {
			hw += ", driver " + s.Device.Driver
		}
		prec := s.Device.Precision
		if prec == "" {
			prec = "precision not recorded"
		}
		precisions[prec] = true
		fmt.Fprintf(ew, "[%d] %s: %s; %s; %s, %s %s\n", i, s.Label, hw, prec, s.Run.Date, s.Run.GoVersion, orUnknown(s.Run.Commit))
	}
	if len(precisions) > 1 {
		fmt.Fprintln(ew, "note: the series differ in precision; their times compare different arithmetic")
	}
	fmt.Fprintln(ew)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "operation\tshape\t"
	for i := range c.Series {
		head += fmt.Sprintf("[%d] ms\t", i)
		if i > 0 {
			head += fmt.Sprintf("[%d] vs [0]\t", i)
		}
	}
	fmt.Fprintln(tw, head)
	for _, row := range c.Rows {
		line := row.Op + "\t" + row.Shape + "\t"
		for i, cell := range row.Cells {
			if cell == nil {
				line += "-\t"
			} else {
				line += fmt.Sprintf("%.3f\t", cell.Ms)
			}
			if i == 0 {
				continue
			}
			switch {
			case row.Ratio[i] == 0:
				line += "\t"
			case row.Noise[i]:
				line += fmt.Sprintf("~%.2fx\t", row.Ratio[i])
			default:
				line += fmt.Sprintf("%.2fx\t", row.Ratio[i])
			}
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	fmt.Fprintln(ew, "\nvs [0]: [0]'s time over the series' (above 1: faster than [0]); ~: within the runs' own spread")
	for i := 1; i < len(c.Series); i++ {
		var ratios []float64
		for _, row := range c.Rows {
			ratios = append(ratios, row.Ratio[i])
		}
		if g := geomean(ratios); g > 0 {
			fmt.Fprintf(ew, "[%d] vs [0], geometric mean over the rows both have: %.2fx\n", i, g)
		}
	}
	return ew.err
}

// geomean returns the geometric mean of the positive values of v, or 0.
func geomean(v []float64) float64 {
	var sum float64
	n := 0
	for _, x := range v {
		if x > 0 {
			sum += math.Log(x)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Exp(sum / float64(n))
}

func orUnknown(s string) string {
	if s == "" {
		return "(commit not recorded)"
	}
	return s
}

// shortNames returns the shortest trailing parts of the paths that tell
// them apart: the base names, unless two are alike, then more of the
// directories.
func shortNames(paths []string) []string {
	for parts := 1; ; parts++ {
		out := make([]string, len(paths))
		seen := map[string]bool{}
		unique, whole := true, true
		for i, p := range paths {
			elems := strings.Split(filepath.ToSlash(filepath.Clean(p)), "/")
			if parts < len(elems) {
				whole = false
				elems = elems[len(elems)-parts:]
			}
			out[i] = strings.Join(elems, "/")
			unique = unique && !seen[out[i]]
			seen[out[i]] = true
		}
		if unique || whole {
			return out
		}
	}
}
