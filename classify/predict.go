package classify

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

// Prediction is the model's verdict on one image.
type Prediction struct {
	// Class is the most likely class: the first largest logit's.
	Class int
	// Probabilities holds each class's probability, the softmax of the
	// logits.
	Probabilities []float64
}

// Predict classifies each image of d (whose labels, if any, are ignored),
// batch at a time, with dropout off.
func Predict(ctx context.Context, m *Model, d Dataset, batch int) ([]Prediction, error) {
	if err := m.checkData(d, false); err != nil {
		return nil, err
	}
	if err := m.CheckBatch(min(batch, d.Len())); err != nil {
		return nil, err
	}
	out := make([]Prediction, 0, d.Len())
	err := m.forEachLogits(ctx, d, batch, 0, func(i int, logits []float32) error {
		p, err := predictionOf(logits)
		if err != nil {
			return &ImageError{Index: i, Err: err}
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// ImageError is an error about one image of many, which it names by its
// index, so that a caller can name it by its file.
type ImageError struct {
	Index int
	Err   error
}

func (e *ImageError) Error() string { return fmt.Sprintf("image %d: %v", e.Index, e.Err) }

// Unwrap returns the error about the image.
func (e *ImageError) Unwrap() error { return e.Err }

// PredictTensor classifies the batch x, Float32 [N, C, H, W] of the model's
// input shape with values as training saw them (pixels scaled to [0, 1]),
// on the model's device.
func (m *Model) PredictTensor(x *tensor.Tensor) ([]Prediction, error) {
	if x.Rank() != 4 || x.Dim(1) != m.cfg.Input[0] || x.Dim(2) != m.cfg.Input[1] || x.Dim(3) != m.cfg.Input[2] {
		return nil, fmt.Errorf("input %v: want [N %d %d %d]", x.Shape(), m.cfg.Input[0], m.cfg.Input[1], m.cfg.Input[2])
	}
	if x.Dim(0) == 0 {
		return nil, nil
	}
	if err := m.CheckBatch(x.Dim(0)); err != nil {
		return nil, err
	}
	logits, _, _ := m.Eval(x, nil)
	host, err := logits.Float32s()
	if err != nil {
		return nil, err
	}
	k := m.Classes()
	out := make([]Prediction, x.Dim(0))
	for i := range out {
		p, err := predictionOf(host[i*k : (i+1)*k])
		if err != nil {
			return nil, &ImageError{Index: i, Err: err}
		}
		out[i] = p
	}
	return out, nil
}

// errNotFinite is wrapped by the error for logits that hold a NaN or an
// infinity.
var errNotFinite = errors.New("the model's outputs are not finite")

// predictionOf returns the prediction of one image's logits, refusing
// non-finite ones: no class or probability can be read from them.
func predictionOf(logits []float32) (Prediction, error) {
	for j, v := range logits {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return Prediction{}, fmt.Errorf("%w: logit %d is %v", errNotFinite, j, v)
		}
	}
	return Prediction{Class: argmax(logits), Probabilities: softmax(logits)}, nil
}

// forEachLogits runs the model over the first limit images of d (all when
// 0) in order and calls fn with each image's index and logits.
func (m *Model) forEachLogits(ctx context.Context, d Dataset, batch, limit int, fn func(i int, logits []float32) error) error {
	loader, err := m.loader(d, BatchOptions{Size: batch, Limit: limit})
	if err != nil || loader.Len() == 0 {
		return err
	}
	size := min(batch, loader.Len())
	c, h, w := d.Shape()
	db := NewDeviceBatch(m.Device(), size, c, h, w, m.Input())
	defer db.Free()
	k := m.Classes()
	host := make([]float32, size*k)
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

// checkData refuses a dataset whose images the model cannot take (another
// channel count, a size outside the bounds) or, when labels are needed,
// one without labels.
func (m *Model) checkData(d Dataset, labelled bool) error {
	c, h, w := d.Shape()
	if err := (Image{Channels: c, Height: h, Width: w}).checkSize(); err != nil {
		return fmt.Errorf("dataset images: %w", err)
	}
	if c != m.cfg.Input[0] {
		return fmt.Errorf("the model takes %d-channel images, the data has %d channels", m.cfg.Input[0], c)
	}
	if labelled && d.Len() > 0 && d.Label(0) < 0 {
		return errors.New("the dataset has no labels")
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

// loader checks that batches of o.Size images of d fit in the device's
// memory, then makes their loader.
func (m *Model) loader(d Dataset, o BatchOptions) (*Loader, error) {
	n := d.Len()
	if o.Limit > 0 {
		n = min(n, o.Limit)
	}
	if err := m.CheckBatch(min(o.Size, n)); err != nil {
		return nil, err
	}
	return NewLoader(d, o)
}
