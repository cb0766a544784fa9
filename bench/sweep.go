package bench

import (
	"time"

	"github.com/tensorforge/tensorforge/tensor"
)

// SweepPoint is the training speed and memory at one batch size on one
// device: the book's exercise on how batch size trades throughput against
// memory.
type SweepPoint struct {
	Device       string  `json:"device"`
	Batch        int     `json:"batch"`
	StepMs       float64 `json:"step_ms"`
	ImagesPerSec float64 `json:"images_per_sec"`
	// PeakBytes is the process's peak resident memory (VmHWM) for the CPU,
	// and for a GPU the peak of its memory pool above what was in use
	// before the sweep built its model.
	PeakBytes int64 `json:"peak_bytes"`
	// Err is why the point could not be measured (out of memory).
	Err string `json:"error,omitempty"`
}

// Sweep times m's training step on dev at each batch size, in increasing
// order on one model, so each point's memory is what that batch needs:
// layer buffers grow with the batch and are never shrunk. It stops at the
// first error (on a GPU, errors are sticky). m must not have been built on
// dev before.
func Sweep(m *Model, dev tensor.Device, batches []int, repeat int, budget time.Duration) []SweepPoint {
	pool, isPool := dev.(memoryPool)
	var base int64
	if isPool {
		base = pool.MemoryInUse()
	}
	// Built before the first reset, so no point counts the host copies
	// that initialising the weights makes.
	if _, err := m.On(dev); err != nil {
		return []SweepPoint{{Device: dev.Name(), Batch: batches[0], Err: err.Error()}}
	}
	var points []SweepPoint
	for _, n := range batches {
		p := SweepPoint{Device: dev.Name(), Batch: n}
		if isPool {
			pool.ResetPeakMemory()
		} else {
			ResetHostPeak()
		}
		c, err := m.Case(n, true)
		var tm Timing
		if err == nil {
			tm, err = c.Time(dev, repeat, budget)
		}
		if err != nil {
			p.Err = err.Error()
			points = append(points, p)
			break
		}
		p.StepMs = ms(tm.Time)
		p.ImagesPerSec = float64(n) / tm.Time.Seconds()
		if isPool {
			p.PeakBytes = pool.PeakMemory() - base
		} else {
			p.PeakBytes = int64(HostPeakBytes())
		}
		points = append(points, p)
	}
	return points
}
