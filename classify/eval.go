package classify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Evaluation is a model's record on a labelled set of images.
type Evaluation struct {
	// Confusion[t][p] counts the images of true class t that the model
	// classed as p.
	Confusion [][]int
}

// Total returns the number of images evaluated.
func (e *Evaluation) Total() int {
	n := 0
	for _, row := range e.Confusion {
		for _, c := range row {
			n += c
		}
	}
	return n
}

// Correct returns the number of images classed right.
func (e *Evaluation) Correct() int {
	n := 0
	for i, row := range e.Confusion {
		n += row[i]
	}
	return n
}

// Accuracy returns the fraction of images classed right (0 for none).
func (e *Evaluation) Accuracy() float64 {
	if t := e.Total(); t > 0 {
		return float64(e.Correct()) / float64(t)
	}
	return 0
}

// WriteConfusion prints the confusion matrix as a table, a row per true
// class and a column per predicted one, each headed by its number, with
// each row's class name and recall at its end.
func (e *Evaluation) WriteConfusion(w io.Writer, className func(int) string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	var head strings.Builder
	head.WriteString("true\\pred\t")
	for p := range e.Confusion {
		fmt.Fprintf(&head, "%d\t", p)
	}
	fmt.Fprintln(tw, head.String()+" recall\t  class")
	for t, row := range e.Confusion {
		fmt.Fprintf(tw, "%d\t", t)
		n := 0
		for _, c := range row {
			fmt.Fprintf(tw, "%d\t", c)
			n += c
		}
		recall := 0.0
		if n > 0 {
			recall = float64(row[t]) / float64(n)
		}
		fmt.Fprintf(tw, " %.3f\t  %s\n", recall, className(t))
	}
	return tw.Flush()
}

// Evaluate classifies the first limit images of d (all of them when limit
// is 0), batch at a time, with dropout off, and tallies the results. d
// must be labelled.
func Evaluate(ctx context.Context, m *Model, d Dataset, batch, limit int) (*Evaluation, error) {
	if err := m.checkData(d, true); err != nil {
		return nil, err
	}
	k := m.Classes()
	e := &Evaluation{Confusion: make([][]int, k)}
	for i := range e.Confusion {
		e.Confusion[i] = make([]int, k)
	}
	err := m.forEachLogits(ctx, d, batch, limit, func(i int, logits []float32) error {
		t := d.Label(i)
		if t < 0 || t >= k {
			return fmt.Errorf("image %d is labelled %d, outside the model's %d classes", i, t, k)
		}
		e.Confusion[t][argmax(logits)]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}
