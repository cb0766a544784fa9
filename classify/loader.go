package classify

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"sync/atomic"
)

// BatchOptions configure a Loader.
type BatchOptions struct {
	// Size is the number of examples per batch; the last batch of an epoch
	// holds what is left and may be smaller.
	Size int
	// Shuffle visits the examples in a new random order each epoch.
	Shuffle bool
	// Seed seeds the shuffle: the same seed and epoch give the same order.
	Seed uint64
	// Limit, if positive, uses only the first Limit examples (all of them
	// if the dataset holds fewer).
	Limit int
}

// Batch is a batch of examples as the host holds them. A Loader reuses its
// memory: it is valid only until the loop over the epoch moves on.
type Batch struct {
	// Images holds Len() images, [Len(), Channels, Height, Width]
	// row-major.
	Images []uint8
	// Labels holds the class of each image, -1 for an unlabelled one.
	Labels []int32
	// Channels, Height and Width are the size of every image.
	Channels, Height, Width int
}

// Len returns the number of examples in the batch.
func (b *Batch) Len() int { return len(b.Labels) }

// Loader cuts a Dataset into batches, one epoch at a time, assembling the
// next batch in a goroutine while the caller works on the current one.
// The batch buffers are made once, by NewLoader: an epoch allocates a fixed
// few objects, however many batches it has. A Loader runs one epoch at a
// time (Epoch panics when another is running), from one goroutine.
type Loader struct {
	d    Dataset
	o    BatchOptions
	n    int
	perm []int
	// free holds the batch buffers that neither the caller nor the
	// goroutine assembling the next batch holds: two in all, one in use
	// and one being filled.
	free    chan *Batch
	running atomic.Bool
}

// NewLoader returns a Loader of d's examples. A Size below 1 or a negative
// Limit is an error, as they usually come from flags.
func NewLoader(d Dataset, o BatchOptions) (*Loader, error) {
	if o.Size < 1 {
		return nil, fmt.Errorf("batch size %d: want at least 1", o.Size)
	}
	if o.Limit < 0 {
		return nil, fmt.Errorf("example limit %d: want 0 (all) or more", o.Limit)
	}
	n := d.Len()
	if o.Limit > 0 {
		n = min(n, o.Limit)
	}
	l := &Loader{d: d, o: o, n: n, perm: make([]int, n), free: make(chan *Batch, 2)}
	c, h, w := d.Shape()
	size, px := min(o.Size, n), c*h*w
	for range cap(l.free) {
		l.free <- &Batch{Images: make([]uint8, 0, size*px), Labels: make([]int32, 0, size), Channels: c, Height: h, Width: w}
	}
	return l, nil
}

// Len returns the number of examples in an epoch.
func (l *Loader) Len() int { return l.n }

// Batches returns the number of batches in an epoch.
func (l *Loader) Batches() int { return (l.n + l.o.Size - 1) / l.o.Size }

// Epoch returns the batches of epoch number epoch, in the order the seed
// and epoch give (dataset order without Shuffle). Leaving the loop early
// stops the goroutine assembling batches. A Loader runs one epoch at a
// time: starting another while one is running panics.
func (l *Loader) Epoch(epoch int) iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		if !l.running.CompareAndSwap(false, true) {
			panic("classify: Loader.Epoch: another epoch of this loader is running")
		}
		defer l.running.Store(false)
		l.order(epoch)

		ready := make(chan *Batch, 1)
		stop := make(chan struct{})
		done := make(chan struct{})
		go l.assemble(ready, stop, done)

		var held *Batch
		// Runs however the loop ends, a panic in its body included, so the
		// goroutine always exits and every buffer returns to l.free.
		defer func() {
			close(stop)
			<-done
			if held != nil {
				l.free <- held
			}
			for b := range ready {
				l.free <- b
			}
		}()
		for b := range ready {
			held = b
			if !yield(b) {
				return
			}
			held = nil
			l.free <- b
		}
	}
}

// order sets l.perm to the order of the examples in epoch: a fresh
// generator per epoch, seeded by the seed and the epoch, makes an epoch's
// order independent of which epochs ran before it.
func (l *Loader) order(epoch int) {
	for i := range l.perm {
		l.perm[i] = i
	}
	if l.o.Shuffle {
		r := rand.New(rand.NewPCG(l.o.Seed, uint64(epoch)))
		r.Shuffle(len(l.perm), func(i, j int) { l.perm[i], l.perm[j] = l.perm[j], l.perm[i] })
	}
}

// assemble fills free buffers with the epoch's batches in turn and sends
// them on ready, which it closes at the end of the epoch or when stop is
// closed.
func (l *Loader) assemble(ready chan<- *Batch, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer close(ready)
	for start := 0; start < l.n; start += l.o.Size {
		var b *Batch
		select {
		case b = <-l.free:
		case <-stop:
			return
		}
		l.fill(b, l.perm[start:min(start+l.o.Size, l.n)])
		select {
		case ready <- b:
		case <-stop:
			l.free <- b
			return
		}
	}
}

// fill copies the examples idx into b.
func (l *Loader) fill(b *Batch, idx []int) {
	px := b.Channels * b.Height * b.Width
	b.Images = b.Images[:len(idx)*px]
	b.Labels = b.Labels[:len(idx)]
	for j, i := range idx {
		copy(b.Images[j*px:(j+1)*px], l.d.Image(i))
		b.Labels[j] = int32(l.d.Label(i))
	}
}
