// Package charts draws the project's pictures as SVG or PNG: training
// curves as Dive into Deep Learning's Animator draws them, one run or
// several overlaid, and the benchmarks' pictures (where a training step's
// time goes, throughput and memory against batch size, GEMMs' share of
// the peak). It is a package of its own so that a program that only
// predicts does not link gonum/plot and its fonts.
package charts

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	_ "gonum.org/v1/plot/vg/vgimg" // registers png
	_ "gonum.org/v1/plot/vg/vgsvg" // registers svg
)

// CheckPath reports whether a picture can be written to path, judged by
// its extension (.svg or .png), so a command can refuse a bad name before
// the work that draws it rather than after.
func CheckPath(path string) error {
	switch format(path) {
	case "svg", "png":
		return nil
	}
	return fmt.Errorf("plot %s: unsupported extension %q (want .svg or .png)", path, filepath.Ext(path))
}

func format(path string) string {
	return strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
}

// save renders p at w x h into path, replacing it atomically: a failure
// leaves an earlier picture intact.
func save(p *plot.Plot, path string, w, h vg.Length) error {
	if err := CheckPath(path); err != nil {
		return err
	}
	wt, err := p.WriterTo(w, h, format(path))
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return atomicfile.Write(path, func(out io.Writer) error {
		if _, err := wt.WriteTo(out); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		return nil
	})
}

// palette gives each series of a picture its color, in order.
var palette = []color.Color{
	color.RGBA{B: 180, A: 255},
	color.RGBA{R: 220, G: 110, A: 255},
	color.RGBA{G: 140, A: 255},
	color.RGBA{R: 200, B: 200, A: 255},
	color.RGBA{R: 120, G: 120, B: 120, A: 255},
	color.RGBA{R: 180, A: 255},
}

// colorOf returns series i's color.
func colorOf(i int) color.Color { return palette[i%len(palette)] }
