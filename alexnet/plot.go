package alexnet

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // registers png
	_ "gonum.org/v1/plot/vg/vgsvg" // registers svg
)

// CheckPlotPath reports whether WritePlot can write path, judged by its
// extension (.svg or .png), so a command can refuse a bad name before
// training rather than after.
func CheckPlotPath(path string) error {
	switch plotFormat(path) {
	case "svg", "png":
		return nil
	}
	return fmt.Errorf("plot %s: unsupported extension %q (want .svg or .png)", path, filepath.Ext(path))
}

func plotFormat(path string) string {
	return strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
}

// WritePlot draws the training curves of history as the book's Animator
// does (train loss, train acc and test acc against the epoch) and writes
// them to path as SVG or PNG, chosen by the extension. The plot is drawn
// in memory first, so a drawing failure leaves an earlier file intact.
func WritePlot(path string, history []EpochStats) error {
	if err := CheckPlotPath(path); err != nil {
		return err
	}
	p := plot.New()
	p.X.Label.Text = "epoch"
	p.X.Min = 1
	p.Y.Min = 0
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	curves := []struct {
		name  string
		value func(EpochStats) float64
		color color.Color
		dash  []vg.Length
	}{
		{"train loss", func(s EpochStats) float64 { return s.TrainLoss }, color.RGBA{B: 180, A: 255}, nil},
		{"train acc", func(s EpochStats) float64 { return s.TrainAcc }, color.RGBA{R: 200, G: 0, B: 200, A: 255}, []vg.Length{vg.Points(6), vg.Points(3)}},
		{"test acc", func(s EpochStats) float64 { return s.TestAcc }, color.RGBA{G: 140, A: 255}, []vg.Length{vg.Points(2), vg.Points(2)}},
	}
	top := 1.0
	for _, c := range curves {
		pts := make(plotter.XYs, len(history))
		for i, s := range history {
			pts[i] = plotter.XY{X: float64(s.Epoch), Y: c.value(s)}
			top = max(top, pts[i].Y)
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %s: %w", path, c.name, err)
		}
		line.Color, line.Dashes = c.color, c.dash
		points.Color, points.Shape = c.color, draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add(c.name, line)
	}
	p.Y.Max = 1.3 * top // room above the curves for the legend
	w, err := p.WriterTo(5*vg.Inch, 3.5*vg.Inch, plotFormat(path))
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
