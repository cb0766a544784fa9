package charts

import (
	"fmt"
	"image/color"

	"github.com/tensorforge/tensorforge/classify"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// metrics are the curves of a training run, each with its dash pattern.
var metrics = []struct {
	name  string
	value func(classify.EpochStats) float64
	dash  []vg.Length
}{
	{"train loss", func(s classify.EpochStats) float64 { return s.TrainLoss }, nil},
	{"train acc", func(s classify.EpochStats) float64 { return s.TrainAcc }, []vg.Length{vg.Points(6), vg.Points(3)}},
	{"test acc", func(s classify.EpochStats) float64 { return s.TestAcc }, []vg.Length{vg.Points(2), vg.Points(2)}},
}

// curveColors are the colors of one run's three curves.
var curveColors = []color.Color{color.RGBA{B: 180, A: 255}, color.RGBA{R: 200, B: 200, A: 255}, color.RGBA{G: 140, A: 255}}

// TrainingCurves draws the curves of history (train loss, train accuracy
// and test accuracy against the epoch) to path, as SVG or PNG by its
// extension.
func TrainingCurves(path string, history []classify.EpochStats) error {
	return training(path, []Run{{History: history}}, func(_, m int) color.Color { return curveColors[m] })
}

// Run is one training run's history, for Overlay.
type Run struct {
	Label   string
	History []classify.EpochStats
}

// Overlay draws the curves of several runs on one picture, a color per
// run and a dash pattern per metric: a CPU run against a GPU run, or a
// run against its rerun.
func Overlay(path string, runs []Run) error {
	return training(path, runs, func(r, _ int) color.Color { return colorOf(r) })
}

// training draws the runs' curves, colored by colorOf(run, metric).
func training(path string, runs []Run, colorOf func(run, metric int) color.Color) error {
	if err := CheckPath(path); err != nil {
		return err
	}
	p := plot.New()
	p.X.Label.Text = "epoch"
	p.X.Min = 1
	p.Y.Min = 0
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	top := 1.0
	for r, run := range runs {
		for m, c := range metrics {
			pts := make(plotter.XYs, len(run.History))
			for i, s := range run.History {
				pts[i] = plotter.XY{X: float64(s.Epoch), Y: c.value(s)}
				top = max(top, pts[i].Y)
			}
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return fmt.Errorf("plot %s: %s: %w", path, c.name, err)
			}
			line.Color, line.Dashes = colorOf(r, m), c.dash
			points.Color, points.Shape = colorOf(r, m), draw.CircleGlyph{}
			p.Add(line, points)
			name := c.name
			if run.Label != "" {
				name = run.Label + " " + name
			}
			p.Legend.Add(name, line)
		}
	}
	p.Y.Max = (1 + 0.1*float64(len(runs)*len(metrics))) * top // room above the curves for the legend
	return save(p, path, 5*vg.Inch, 3.5*vg.Inch)
}

// Losses draws loss curves against the training step, a line per label:
// the two devices of a comparison, each step's loss on both.
func Losses(path string, labels []string, losses [][]float64) error {
	if err := CheckPath(path); err != nil {
		return err
	}
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = "step", "loss"
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	for i, l := range losses {
		pts := make(plotter.XYs, len(l))
		for k, v := range l {
			pts[k] = plotter.XY{X: float64(k + 1), Y: v}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %s: %w", path, labels[i], err)
		}
		line.Color = colorOf(i)
		if i > 0 {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(line)
		p.Legend.Add(labels[i], line)
	}
	return save(p, path, 5*vg.Inch, 3.5*vg.Inch)
}
