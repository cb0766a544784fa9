package alexnet

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/tensorforge/tensorforge/fashionmnist"
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
// is 0), batch at a time, with dropout off, and tallies the results.
func Evaluate(ctx context.Context, m *Model, d *fashionmnist.Dataset, batch, limit int) (*Evaluation, error) {
	k := m.cfg.Classes
	e := &Evaluation{Confusion: make([][]int, k)}
	for i := range e.Confusion {
		e.Confusion[i] = make([]int, k)
	}
	err := m.forEachLogits(ctx, d, batch, limit, func(i int, logits []float32) error {
		t := int(d.Labels[i])
		if t >= k {
			return fmt.Errorf("image %d is labelled %d, beyond the model's %d classes", i, t, k)
		}
		e.Confusion[t][argmax(logits)]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Prediction is the model's verdict on one image.
type Prediction struct {
	// Class is the most likely class: the first largest logit's.
	Class int
	// Probabilities holds each class's probability, the softmax of the
	// logits.
	Probabilities []float64
}

// Predict classifies each image of d (whose labels are ignored), batch at
// a time, with dropout off.
func Predict(ctx context.Context, m *Model, d *fashionmnist.Dataset, batch int) ([]Prediction, error) {
	out := make([]Prediction, 0, d.Len())
	err := m.forEachLogits(ctx, d, batch, 0, func(_ int, logits []float32) error {
		out = append(out, Prediction{Class: argmax(logits), Probabilities: softmax(logits)})
		return nil
	})
	return out, err
}

// forEachLogits runs the model over the first limit images of d (all when
// 0) in order and calls fn with each image's index and logits.
func (m *Model) forEachLogits(ctx context.Context, d *fashionmnist.Dataset, batch, limit int, fn func(i int, logits []float32) error) error {
	if err := m.checkGrayscale(); err != nil {
		return err
	}
	loader, err := fashionmnist.NewLoader(d, fashionmnist.BatchOptions{Size: batch, Limit: limit})
	if err != nil {
		return err
	}
	if loader.Len() == 0 {
		return nil
	}
	db := fashionmnist.NewDeviceBatch(m.Device(), min(batch, loader.Len()), d.Rows, d.Cols, m.cfg.Size)
	defer db.Free()
	k := m.cfg.Classes
	host := make([]float32, min(batch, loader.Len())*k)
	i := 0
	for b := range loader.Epoch(0) {
		if ctx.Err() != nil {
			return fmt.Errorf("image %d of %d: %w", i, loader.Len(), context.Cause(ctx))
		}
		x, _ := db.Upload(b)
		logits, _, _ := m.Eval(x, nil)
		out := host[:b.Len()*k]
		if err := logits.CopyTo(out); err != nil {
			return err
		}
		for j := range b.Len() {
			if err := fn(i, out[j*k:(j+1)*k]); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// checkGrayscale refuses a model that does not take one-channel images,
// the only kind a fashionmnist.Dataset holds.
func (m *Model) checkGrayscale() error {
	if m.cfg.InChannels != 1 {
		return fmt.Errorf("the model takes %d-channel images, the data has 1 channel", m.cfg.InChannels)
	}
	return nil
}

// argmax returns the index of the first largest value, the class the
// device's loss counts as predicted.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// softmax returns exp(v)/sum(exp(v)), computed in float64 after
// subtracting the maximum so large logits do not overflow.
func softmax(v []float32) []float64 {
	hi := math.Inf(-1)
	for _, x := range v {
		hi = max(hi, float64(x))
	}
	out := make([]float64, len(v))
	sum := 0.0
	for i, x := range v {
		out[i] = math.Exp(float64(x) - hi)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}
