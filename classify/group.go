package classify

import (
	"context"
	"errors"

	"github.com/tensorforge/tensorforge/tensor"
)

// Group is the processes of a data-parallel run, each with a replica of
// one model (package mpi's World is one). Train with a Group of more than
// one splits every batch into one share per process, in rank order, and
// sums the gradients, each weighted by its share of the batch, before
// every update, so the processes compute what one would with the whole
// batch, up to the order of floating-point sums, and keep equal weights.
// Every process calls the same methods in the same order. Train calls them
// from one goroutine, so an implementation need not be safe for concurrent
// use (mpi.World is).
type Group interface {
	// Rank is this process's index, 0 to Size()-1.
	Rank() int
	// Size is the number of processes.
	Size() int
	// Broadcast replaces buf on every process with process 0's.
	Broadcast(buf []float32) error
	// SumAll replaces buf on every process with the elementwise sum over
	// the processes.
	SumAll(buf []float32) error
}

// share returns the rows of an n-image batch that rank r of size takes,
// [lo, hi): equal shares, the first n%size one image larger.
func share(n, r, size int) (lo, hi int) {
	q, extra := n/size, n%size
	lo = r*q + min(r, extra)
	hi = lo + q
	if r < extra {
		hi++
	}
	return lo, hi
}

// Share returns the view of rows [lo, hi) of b.
func (b *Batch) Share(lo, hi int) *Batch {
	size := b.Channels * b.Height * b.Width
	return &Batch{Images: b.Images[lo*size : hi*size], Labels: b.Labels[lo:hi],
		Channels: b.Channels, Height: b.Height, Width: b.Width}
}

// broadcastModel gives every process rank 0's parameters, state and
// velocity, so replicas start equal whatever each loaded or drew.
func (m *Model) broadcastModel(g Group) error {
	params, _ := m.net.Arena()
	ts := []*tensor.Tensor{params, m.net.StateArena()}
	if v := m.opt.Velocity(); v != nil {
		ts = append(ts, v)
	}
	for _, t := range ts {
		if t == nil || t.Len() == 0 {
			continue
		}
		host, err := t.Float32s()
		if err != nil {
			return err
		}
		if err := g.Broadcast(host); err != nil {
			return err
		}
		t.CopyFrom(host)
	}
	return m.Device().Err()
}

// gradChunk is how many floats of the gradient arena cross to the host
// and through the group at a time (16 MiB): small enough that copies
// overlap the all-reduce, large enough that each all-reduce is efficient.
// A variable, so that a test can cut a small arena into many chunks.
var gradChunk = 4 << 20

// sumGradients scales this process's gradients by weight, its share of the
// batch, and replaces them with the sum over the group: the gradient of the
// whole batch's mean loss. The arena crosses to the host and back in
// chunks, pipelined: while one chunk is summed over the group, the next is
// downloaded, and each summed chunk is uploaded before the next is summed
// (queued, on a GPU). The host buffer is the device's fastest
// (tensor.HostFloat32s), made once.
func (m *Model) sumGradients(g Group, weight float32) error {
	_, grads := m.net.Arena()
	tensor.Scale(grads, weight)
	n := grads.Len()
	if len(m.hostGrads) != n {
		m.freeHostGrads()
		buf, free, err := tensor.HostFloat32s(m.Device(), n)
		if err != nil {
			return err
		}
		m.hostGrads, m.freeGrads = buf, free
	}
	part := func(lo, hi int) *tensor.Tensor { return tensor.ViewOf(grads.Storage(), grads.Offset()+lo, hi-lo) }
	if err := part(0, min(gradChunk, n)).CopyTo(m.hostGrads[:min(gradChunk, n)]); err != nil {
		return err
	}
	for lo := 0; lo < n; lo += gradChunk {
		hi := min(lo+gradChunk, n)
		var next chan error
		if hi < n {
			next = make(chan error, 1)
			go func(lo, hi int) { next <- part(lo, hi).CopyTo(m.hostGrads[lo:hi]) }(hi, min(hi+gradChunk, n))
		}
		err := g.SumAll(m.hostGrads[lo:hi])
		if err == nil {
			part(lo, hi).CopyFrom(m.hostGrads[lo:hi])
		}
		if next != nil {
			err = errors.Join(err, <-next)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// freeHostGrads returns the gradients' host buffer to its device.
func (m *Model) freeHostGrads() {
	if m.freeGrads != nil {
		m.freeGrads()
	}
	m.hostGrads, m.freeGrads = nil, nil
}

// shard is every size-th image of the first n of a dataset, from rank:
// one process's part of a test set, evaluated in parallel.
type shard struct {
	Dataset
	rank, size, n int
}

// Len, Image and Label are those of the shard's images, i of them the
// dataset's rank + i*size.
func (s shard) Len() int            { return max(0, (s.n-s.rank+s.size-1)/s.size) }
func (s shard) Image(i int) []uint8 { return s.Dataset.Image(s.rank + i*s.size) }
func (s shard) Label(i int) int     { return s.Dataset.Label(s.rank + i*s.size) }

// evaluateGroup evaluates the first limit images of d (all when 0), each
// process a shard of them, and sums the confusion matrices: every process
// gets the whole evaluation.
func evaluateGroup(ctx context.Context, m *Model, d Dataset, batch, limit int, g Group) (*Evaluation, error) {
	n := d.Len()
	if limit > 0 {
		n = min(n, limit)
	}
	e, err := Evaluate(ctx, m, shard{Dataset: d, rank: g.Rank(), size: g.Size(), n: n}, max(1, batch/g.Size()), 0)
	if err != nil {
		return nil, err
	}
	k := len(e.Confusion)
	flat := make([]float32, k*k)
	for t, row := range e.Confusion {
		for p, c := range row {
			flat[t*k+p] = float32(c) // exact: counts below 2^24
		}
	}
	if err := g.SumAll(flat); err != nil {
		return nil, err
	}
	for t, row := range e.Confusion {
		for p := range row {
			row[p] = int(flat[t*k+p])
		}
	}
	return e, nil
}
