package charts

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tensorforge/tensorforge/bench"
	"github.com/tensorforge/tensorforge/internal/gemmshapes"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bench draws into dir, as SVG, the pictures the series' runs have data
// for, a color per series: step.svg (each layer's share of a training
// step), sweep-throughput.svg and sweep-memory.svg (against the batch
// size) and gemm.svg (each GEMM shape's share of the device's peak). It
// returns the files written.
func Bench(dir string, series []bench.Series) ([]string, error) {
	var written []string
	for _, c := range []struct {
		file string
		draw func(path string, series []bench.Series) (bool, error)
	}{
		{"step.svg", stepBreakdown},
		{"sweep-throughput.svg", func(path string, s []bench.Series) (bool, error) { return sweep(path, s, false) }},
		{"sweep-memory.svg", func(path string, s []bench.Series) (bool, error) { return sweep(path, s, true) }},
		{"gemm.svg", gemmPeak},
	} {
		path := filepath.Join(dir, c.file)
		drawn, err := c.draw(path, series)
		if err != nil {
			return written, err
		}
		if drawn {
			written = append(written, path)
		}
	}
	return written, nil
}

// bars adds a group of horizontal bars per series, values[s][i] for the
// i'th name, one group beside the other, with a legend entry per series.
// The value axis runs a third past the longest bar, so that the legend,
// at the top right, covers none.
func bars(p *plot.Plot, names []string, labels []string, values [][]float64) error {
	var most float64
	for _, v := range values {
		for _, x := range v {
			most = max(most, x)
		}
	}
	p.X.Min, p.X.Max = 0, 1.35*most
	p.Add(plotter.NewGrid())
	const width = vg.Length(7)
	n := len(values)
	for s, v := range values {
		b, err := plotter.NewBarChart(plotter.Values(v), width)
		if err != nil {
			return err
		}
		b.Horizontal = true
		b.Color = colorOf(s)
		b.LineStyle.Width = 0
		b.Offset = width * vg.Length(float64(n-1)/2-float64(s))
		p.Add(b)
		p.Legend.Add(labels[s], b)
	}
	p.NominalY(names...)
	p.Legend.Top = true
	return nil
}

// stepBreakdown draws each layer's share of a training step, for the
// series with a step breakdown: shares, not milliseconds, so that a CPU's
// step and a GPU's, a thousand times shorter, read on one axis.
func stepBreakdown(path string, series []bench.Series) (bool, error) {
	var names, labels []string
	var values [][]float64
	index := map[string]int{}
	for _, s := range series {
		prof := s.Profile()
		if prof == nil {
			continue
		}
		var total float64
		for _, r := range prof.Rows {
			total += r.ForwardMs + r.BackwardMs
		}
		share := make([]float64, len(names))
		for _, r := range prof.Rows {
			i, ok := index[r.Name]
			if !ok {
				i = len(names)
				index[r.Name] = i
				names = append(names, r.Name)
				share = append(share, 0)
				for k := range values {
					values[k] = append(values[k], 0)
				}
			}
			share[i] = 100 * (r.ForwardMs + r.BackwardMs) / total
		}
		labels = append(labels, fmt.Sprintf("%s, %.1f ms a step at batch %d", s.Label, prof.StepMs, prof.Batch))
		values = append(values, share)
	}
	if len(values) == 0 {
		return false, nil
	}
	// The first layer at the top.
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
		for _, v := range values {
			v[i], v[j] = v[j], v[i]
		}
	}
	p := plot.New()
	p.Title.Text = "where a training step's time goes"
	p.X.Label.Text = "% of the step (forward and backward)"
	if err := bars(p, names, labels, values); err != nil {
		return false, fmt.Errorf("plot %s: %w", path, err)
	}
	height := vg.Length(len(names)*len(values))*9 + 1.5*vg.Inch
	return true, save(p, path, 6*vg.Inch, height)
}

// sweep draws images/s (or, with memory, peak memory in MiB) against the
// batch size, a line per series with a sweep.
func sweep(path string, series []bench.Series, memory bool) (bool, error) {
	p := plot.New()
	p.X.Label.Text = "batch size"
	p.X.Scale = plot.LogScale{}
	p.Title.Text, p.Y.Label.Text = "training throughput against batch size", "images/s"
	if memory {
		p.Title.Text, p.Y.Label.Text = "peak memory against batch size", "MiB"
	}
	// Throughput rises with the batch, memory too but from low: the
	// corner each leaves empty.
	p.Legend.Top, p.Legend.Left = memory, memory
	p.Add(plotter.NewGrid())
	drawn := false
	var ticks []plot.Tick
	lo, hi := math.Inf(1), 0.0
	for _, s := range series {
		for _, pt := range s.Sweep() {
			ticks = append(ticks, plot.Tick{Value: float64(pt.Batch), Label: strconv.Itoa(pt.Batch)})
			y := pt.ImagesPerSec
			if memory {
				y = float64(pt.PeakBytes) / (1 << 20)
			}
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	// A CPU and a GPU differ a hundredfold or more: on a linear axis the
	// CPU's line would lie flat on zero.
	if lo > 0 && hi > 20*lo {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	} else {
		p.Y.Min = 0
	}
	for i, s := range series {
		points := s.Sweep()
		if len(points) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(points))
		for k, pt := range points {
			xy[k].X, xy[k].Y = float64(pt.Batch), pt.ImagesPerSec
			if memory {
				xy[k].Y = float64(pt.PeakBytes) / (1 << 20)
			}
		}
		line, dots, err := plotter.NewLinePoints(xy)
		if err != nil {
			return false, fmt.Errorf("plot %s: %w", path, err)
		}
		line.Color, dots.Color, dots.Shape = colorOf(i), colorOf(i), draw.CircleGlyph{}
		p.Add(line, dots)
		p.Legend.Add(s.Label, line)
		drawn = true
	}
	if !drawn {
		return false, nil
	}
	return true, save(p, path, 5*vg.Inch, 3.5*vg.Inch)
}

// gemmPeak draws each GEMM shape's share of the device's peak, for the
// series that measured GEMMs against a peak.
func gemmPeak(path string, series []bench.Series) (bool, error) {
	var names []string
	for i := len(gemmshapes.All) - 1; i >= 0; i-- { // the first shape at the top
		names = append(names, gemmshapes.All[i].Name)
	}
	var labels []string
	var values [][]float64
	for _, s := range series {
		v := make([]float64, len(names))
		any := false
		for i, name := range names {
			if c, ok := s.Cell("Gemm/" + name); ok && c.PctPeak > 0 {
				v[i], any = c.PctPeak, true
			}
		}
		if any {
			label := s.Label
			if prec := s.Device.Precision; prec != "" {
				label += " (" + strings.ToUpper(prec) + ")"
			}
			labels, values = append(labels, label), append(values, v)
		}
	}
	if len(values) == 0 {
		return false, nil
	}
	p := plot.New()
	p.Title.Text = "GEMM: share of the device's measured peak"
	p.X.Label.Text = "% of peak"
	if err := bars(p, names, labels, values); err != nil {
		return false, fmt.Errorf("plot %s: %w", path, err)
	}
	height := vg.Length(len(names)*len(values))*9 + 1.5*vg.Inch
	return true, save(p, path, 6*vg.Inch, height)
}
