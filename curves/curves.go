// Package curves draws training curves as Dive into Deep Learning's
// Animator does: train loss, train accuracy and test accuracy against the
// epoch, as SVG or PNG. It is a package of its own so that a program that
// only predicts does not link gonum/plot and its fonts.
package curves

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // registers png
	_ "gonum.org/v1/plot/vg/vgsvg" // registers svg
)

// CheckPath reports whether Write can write path, judged by its
// extension (.svg or .png), so a command can refuse a bad name before
// training rather than after.
func CheckPath(path string) error {
	switch plotFormat(path) {
	case "svg", "png":
		return nil
	}
	return fmt.Errorf("plot %s: unsupported extension %q (want .svg or .png)", path, filepath.Ext(path))
}

func plotFormat(path string) string {
	return strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
}

// Write draws the training curves of history and writes them to path as
// SVG or PNG, chosen by the extension. The file is replaced atomically, so
// a failure leaves an earlier one intact.
func Write(path string, history []classify.EpochStats) error {
	if err := CheckPath(path); err != nil {
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
		value func(classify.EpochStats) float64
		color color.Color
		dash  []vg.Length
	}{
		{"train loss", func(s classify.EpochStats) float64 { return s.TrainLoss }, color.RGBA{B: 180, A: 255}, nil},
		{"train acc", func(s classify.EpochStats) float64 { return s.TrainAcc }, color.RGBA{R: 200, G: 0, B: 200, A: 255}, []vg.Length{vg.Points(6), vg.Points(3)}},
		{"test acc", func(s classify.EpochStats) float64 { return s.TestAcc }, color.RGBA{G: 140, A: 255}, []vg.Length{vg.Points(2), vg.Points(2)}},
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
	return atomicfile.Write(path, func(out io.Writer) error {
		if _, err := w.WriteTo(out); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		return nil
	})
}
