package nn

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Row is one layer's line in a model summary.
type Row struct {
	Index  int    // position in the Sequential, as in parameter names
	Layer  string // the layer as PyTorch prints it
	Out    []int  // output shape of one sample
	Params int    // learnable values
	// Forward and Backward are the layer's FLOPs for one sample.
	Forward, Backward int64
}

// Summary returns one row per layer, from shapes alone: it needs Setup,
// not Build.
func (s *Sequential) Summary() []Row {
	if len(s.outs) != len(s.layers) {
		panic(fmt.Sprintf("nn: Summary of %d layers before Setup", len(s.layers)))
	}
	rows := make([]Row, len(s.layers))
	for i, l := range s.layers {
		r := Row{Index: i, Layer: l.String(), Out: s.outs[i]}
		if p, ok := l.(Parametric); ok {
			for _, spec := range p.ParamSpecs() {
				if !spec.State {
					r.Params += numel(spec.Shape)
				}
			}
		}
		cost := l.Cost()
		r.Forward, r.Backward = cost.ForwardFLOPs, cost.BackwardFLOPs
		rows[i] = r
	}
	return rows
}

// Totals sums the rows' parameters and FLOPs per sample.
func Totals(rows []Row) (params int, forward, backward int64) {
	for _, r := range rows {
		params += r.Params
		forward += r.Forward
		backward += r.Backward
	}
	return params, forward, backward
}

// WriteSummary prints the rows as a table, in the spirit of D2L's
// layer_summary, with the totals below: parameters, forward FLOPs per
// sample and a training step's (forward and backward) FLOPs per sample.
func WriteSummary(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The layer text is each line's last, unterminated cell, which the
	// tabwriter leaves as it is: left-aligned after right-aligned numbers.
	fmt.Fprintln(tw, "#\toutput\tparams\tMFLOP fwd\t  layer")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t  %s\n", r.Index, shapeString(r.Out), thousands(int64(r.Params)), float64(r.Forward)/1e6, r.Layer)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	params, fwd, bwd := Totals(rows)
	_, err := fmt.Fprintf(w, "parameters: %s\nforward: %.3f GFLOP per sample\ntraining step: %.3f GFLOP per sample\n",
		thousands(int64(params)), float64(fwd)/1e9, float64(fwd+bwd)/1e9)
	return err
}

// shapeString formats a sample shape as 96x54x54.
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "x")
}

// thousands formats n with comma separators: 46,764,746.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
