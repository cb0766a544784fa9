package bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// LayerTime is one row of a training step's breakdown: a layer (or the
// loss, the gradient reset, the SGD update) with its share of the work.
type LayerTime struct {
	Name  string `json:"name"`  // conv1, pool1, fc1, ... or loss, sgd
	Layer string `json:"layer"` // as PyTorch prints it
	// Out is the output shape for the whole batch.
	Out []int `json:"out,omitempty"`
	// Params and ParamBytes are the learnable values and their memory
	// (gradients and momentum take as much again each).
	Params     int   `json:"params"`
	ParamBytes int64 `json:"param_bytes"`
	// ActivationBytes is what the layer keeps from forward to backward for
	// the batch: its output, and a max-pool's argmax or a dropout's mask
	// (ReLU and Flatten reuse their input's memory).
	ActivationBytes int64 `json:"activation_bytes"`
	// ForwardFLOPs and BackwardFLOPs are for the whole batch.
	ForwardFLOPs  float64 `json:"forward_flops"`
	BackwardFLOPs float64 `json:"backward_flops"`
	// ForwardMs and BackwardMs are median times with the device synced
	// before and after.
	ForwardMs  float64 `json:"forward_ms"`
	BackwardMs float64 `json:"backward_ms"`
}

// StepProfile is where one training step's time, FLOPs and memory go.
type StepProfile struct {
	Device string      `json:"device"`
	Batch  int         `json:"batch"`
	Rows   []LayerTime `json:"rows"`
	// StepMs is the median time of the uninstrumented TrainStep, for
	// comparison with the rows' sum (which adds a sync per row).
	StepMs float64 `json:"step_ms"`
}

// Profile times each stage of m's AlexNet training step on dev at the
// given batch: every layer's forward, the loss, every layer's backward in
// reverse, the SGD update. It runs TrainStep itself with the network's
// Trace set to sync the device after each stage, so a row's time is its
// own, and returns the medians of repeat instrumented steps after one
// untimed step.
func Profile(m *Model, dev tensor.Device, batch, repeat int) (*StepProfile, error) {
	am, err := m.On(dev)
	if err != nil {
		return nil, err
	}
	net := am.Net()
	layers := net.Layers()
	x, labels := m.Batch(dev, batch, uint64(batch))
	defer x.Free()
	defer labels.Free()

	// The uninstrumented step, also the warm-up that sizes every buffer.
	stepCase := Case{Family: "AlexNet", Name: "train", Setup: func(tensor.Device) (step, free func(), err error) {
		return func() { am.TrainStep(x, labels) }, func() {}, nil
	}}
	whole, err := stepCase.Time(dev, repeat, time.Minute)
	if err != nil {
		return nil, err
	}

	n := len(layers)
	// times[k] collects one row's samples: 0..n-1 forward, n loss,
	// n+1..2n backward (by layer), 2n+1 sgd. The step zeroes no
	// gradients: its backward pass writes them (see nn.Sequential.DiscardGrad).
	times := make([][]time.Duration, 2*n+2)
	slot := func(s nn.Stage) int {
		switch {
		case s.Name == "loss":
			return n
		case s.Name == "update":
			return 2*n + 1
		case s.Backward:
			return n + 1 + s.Layer
		}
		return s.Layer
	}
	var (
		last    time.Time
		timeErr error
	)
	net.Trace = func(s nn.Stage) {
		if timeErr != nil {
			return
		}
		if timeErr = dev.Sync(); timeErr == nil {
			k := slot(s)
			times[k] = append(times[k], time.Since(last))
			last = time.Now()
		}
	}
	defer func() { net.Trace = nil }()
	for range max(repeat, 1) {
		if timeErr = dev.Sync(); timeErr != nil {
			break
		}
		last = time.Now()
		am.TrainStep(x, labels)
	}
	if timeErr != nil {
		return nil, timeErr
	}

	rows := make([]LayerTime, 0, n+2)
	summary := net.Summary()
	names := LayerNames(layers)
	for i, r := range summary {
		out := append([]int{batch}, r.Out...)
		row := LayerTime{
			Name: names[i], Layer: r.Layer, Out: out,
			Params: r.Params, ParamBytes: 4 * int64(r.Params),
			ForwardFLOPs:  float64(r.Forward) * float64(batch),
			BackwardFLOPs: float64(r.Backward) * float64(batch),
			ForwardMs:     medianMs(times[i]),
			BackwardMs:    medianMs(times[n+1+i]),
		}
		row.ActivationBytes = layers[i].Cost().ActivationBytes * int64(batch)
		rows = append(rows, row)
	}
	params, _ := net.Arena()
	rows = append(rows,
		LayerTime{Name: "loss", Layer: "softmax cross-entropy and its gradient", ForwardMs: medianMs(times[n])},
		LayerTime{Name: "sgd", Layer: fmt.Sprintf("SGD update of %d parameters", params.Len()), ForwardMs: medianMs(times[2*n+1])})
	return &StepProfile{Device: dev.Name(), Batch: batch, Rows: rows, StepMs: ms(whole.Time)}, nil
}

func ms(d time.Duration) float64 { return d.Seconds() * 1e3 }

// medianMs returns the median of samples in milliseconds, 0 for none.
func medianMs(samples []time.Duration) float64 {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return ms(s[len(s)/2])
}
