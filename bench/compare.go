package bench

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/tensor"
)

// StepPair is one training step taken on both devices of a comparison.
type StepPair struct {
	Step int `json:"step"`
	// Loss is the batch's mean loss before the update on each device.
	Loss [2]float64 `json:"loss"`
	// Ms is each device's time for the step: upload, resize, TrainStep,
	// and reading the loss back.
	Ms [2]float64 `json:"ms"`
}

// Comparison is what training one model on two devices from the same
// start with the same batches measured.
type Comparison struct {
	Devices [2]string `json:"devices"`
	// Precisions are the models' precisions ("fp32", "bf16").
	Precisions [2]string `json:"precisions,omitzero"`
	// Hardware names what is behind each device; Commit, Batch, Size and
	// Seed say what ran. The caller fills them in, for the JSON.
	Hardware [2]string  `json:"hardware,omitzero"`
	Commit   string     `json:"commit,omitempty"`
	Batch    int        `json:"batch,omitempty"`
	Size     int        `json:"size,omitempty"`
	Seed     uint64     `json:"seed,omitempty"`
	Steps    []StepPair `json:"steps"`
	// MaxDiff is the largest absolute difference between the devices'
	// parameters after the last step, found in parameter MaxDiffParam,
	// whose largest absolute value (on the first device) is MaxDiffScale.
	MaxDiff      float64 `json:"max_param_diff"`
	MaxDiffParam string  `json:"max_param_diff_in"`
	MaxDiffScale float64 `json:"max_param_diff_scale"`
}

// Speedup returns how many times faster the second device's median step
// was than the first's, leaving out the first step (buffers are allocated
// and kernels compiled there) when there are others.
func (c *Comparison) Speedup() float64 {
	steps := c.Steps
	if len(steps) == 0 {
		return 0
	}
	if len(steps) > 1 {
		steps = steps[1:]
	}
	var ms [2][]float64
	for _, s := range steps {
		ms[0], ms[1] = append(ms[0], s.Ms[0]), append(ms[1], s.Ms[1])
	}
	return median(ms[0]) / median(ms[1])
}

// Compare builds a model on each device with build (side 0 or 1: the
// same device may be on both, with the models in different precisions),
// which must start both from the same weights (the same seed), trains
// both on the same batches,
// one step on each in turn, and compares the losses and, at the end, the
// parameters. onStep, if set, sees each step as it completes. Cancelling
// ctx stops after the current step.
func Compare(ctx context.Context, devs [2]tensor.Device, build func(side int, dev tensor.Device) (*classify.Model, error), batches iter.Seq[*classify.Batch], onStep func(StepPair)) (*Comparison, error) {
	c := &Comparison{Devices: [2]string{devs[0].Name(), devs[1].Name()}}
	var models [2]*classify.Model
	var uploads [2]*classify.DeviceBatch
	defer func() {
		for i := range models {
			if uploads[i] != nil {
				uploads[i].Free()
			}
			if models[i] != nil {
				models[i].Free()
			}
		}
	}()
	lossBuf := make([]float32, 1)
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		pair := StepPair{Step: len(c.Steps) + 1}
		for i, dev := range devs {
			if models[i] == nil {
				m, err := build(i, dev)
				if err != nil {
					return c, fmt.Errorf("%s: %w", dev.Name(), err)
				}
				models[i] = m
				c.Precisions[i] = m.Config().Precision.String()
				uploads[i] = classify.NewDeviceBatch(dev, b.Len(), b.Channels, b.Height, b.Width, m.Input())
			}
			start := time.Now()
			x, labels := uploads[i].Upload(b)
			loss, _ := models[i].TrainStep(x, labels)
			if err := loss.CopyTo(lossBuf); err != nil {
				return c, fmt.Errorf("%s: step %d: %w", dev.Name(), pair.Step, err)
			}
			pair.Ms[i] = ms(time.Since(start))
			pair.Loss[i] = float64(lossBuf[0])
		}
		c.Steps = append(c.Steps, pair)
		if onStep != nil {
			onStep(pair)
		}
	}
	if models[0] == nil {
		return c, fmt.Errorf("no batches to train on")
	}
	return c, c.diffParams(models)
}

// diffParams finds the largest difference between the models' parameters.
func (c *Comparison) diffParams(models [2]*classify.Model) error {
	other := models[1].Params()
	for j, p := range models[0].Params() {
		a, err := p.Value.Float32s()
		if err != nil {
			return fmt.Errorf("%s: %w", c.Devices[0], err)
		}
		b, err := other[j].Value.Float32s()
		if err != nil {
			return fmt.Errorf("%s: %w", c.Devices[1], err)
		}
		var diff, scale float64
		for k := range a {
			diff = max(diff, math.Abs(float64(a[k])-float64(b[k])))
			scale = max(scale, math.Abs(float64(a[k])))
		}
		if diff > c.MaxDiff || c.MaxDiffParam == "" {
			c.MaxDiff, c.MaxDiffParam, c.MaxDiffScale = diff, p.Name, scale
		}
	}
	return nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
