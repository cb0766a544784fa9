package classify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// PredictorOptions configure a Predictor.
type PredictorOptions struct {
	// MaxBatch is the most images one forward pass takes; 0 means 64.
	MaxBatch int
	// MaxWait is how long the first request of a pass waits for others to
	// join it, at most; a negative value means not at all (a pass then
	// takes what has queued while the last one ran), and 0 half the last
	// pass's time, at most 20 ms: waiting costs a request at most that
	// share of its latency, and clients answered by one pass have time to
	// send their next request before the next one starts. The wait ends
	// early when an eighth of it passes with no new request. Batching pays because a
	// pass of many images costs less than as many passes of one: the
	// weights are read once for all, and each pass's fixed costs are paid
	// once.
	MaxWait time.Duration
}

// ErrClosed is returned by a Predictor's Predict after Close.
var ErrClosed = errors.New("classify: predictor closed")

// Predictor serves predictions of one model to concurrent callers: it is
// safe for concurrent use. One goroutine owns the model; requests that
// arrive together (within MaxWait of the first, up to MaxBatch images) run
// as one forward pass, and each caller gets its own images' predictions,
// the same as predicting them alone would give.
type Predictor struct {
	m       *Model
	o       PredictorOptions
	reqs    chan *request
	quit    chan struct{} // closed by Close
	done    chan struct{} // closed when serve returns
	close   sync.Once
	batches map[[3]int]*DeviceBatch // upload buffers by image size
	last    time.Duration           // how long the last run took
}

// request is one call of Predict.
type request struct {
	ctx    context.Context
	images []Image
	out    []Prediction
	err    error
	done   chan struct{}
}

// NewPredictor starts serving m, which it owns from then on: nothing else
// may use the model, and Close frees it. It refuses options it cannot
// honour, and a MaxBatch whose pass would not fit in the device's memory.
func NewPredictor(m *Model, o PredictorOptions) (*Predictor, error) {
	switch {
	case o.MaxBatch < 0:
		return nil, fmt.Errorf("classify: MaxBatch %d: want at least 1, or 0 for the default", o.MaxBatch)
	case o.MaxBatch == 0:
		o.MaxBatch = 64
	}
	if err := m.CheckBatch(o.MaxBatch); err != nil {
		return nil, err
	}
	p := &Predictor{
		m: m, o: o,
		reqs:    make(chan *request),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		batches: map[[3]int]*DeviceBatch{},
	}
	go p.serve()
	return p, nil
}

// Predict classifies images, each of the model's channel count and of any
// size (they are resized to the model's input, as in training), and returns
// one prediction per image. It waits for the pass that runs them, or
// returns ctx's error if ctx ends first. An error names the image it is
// about, by its index among images.
func (p *Predictor) Predict(ctx context.Context, images ...Image) ([]Prediction, error) {
	if len(images) == 0 {
		return nil, nil
	}
	for i, im := range images {
		if err := im.check(); err != nil {
			return nil, &ImageError{Index: i, Err: err}
		}
		if im.Channels != p.m.cfg.Input[0] {
			return nil, &ImageError{Index: i, Err: fmt.Errorf("%d channels, the model takes %d", im.Channels, p.m.cfg.Input[0])}
		}
	}
	r := &request{ctx: ctx, images: images, done: make(chan struct{})}
	select {
	case p.reqs <- r:
	case <-p.quit:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	select {
	case <-r.done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// Close stops serving, waits for the pass that is running, and frees the
// model. Predict calls after it return ErrClosed. It returns the device's
// error, if any.
func (p *Predictor) Close() error {
	p.close.Do(func() {
		close(p.quit)
		<-p.done
		for _, db := range p.batches {
			db.Free()
		}
		p.m.Free()
	})
	return p.m.Device().Err()
}

// serve runs passes until Close.
func (p *Predictor) serve() {
	defer close(p.done)
	for {
		var first *request
		select {
		case first = <-p.reqs:
		case <-p.quit:
			return
		}
		batch := p.gather(first)
		start := time.Now()
		p.run(batch)
		p.last = time.Since(start)
	}
}

// maxAdaptiveWait bounds the wait a MaxWait of 0 chooses.
const maxAdaptiveWait = 20 * time.Millisecond

// wait returns how long a pass waits for requests to join its first.
func (p *Predictor) wait() time.Duration {
	if p.o.MaxWait != 0 {
		return p.o.MaxWait
	}
	return min(p.last/2, maxAdaptiveWait)
}

// gather returns first with the requests that arrive within the wait of
// it, up to MaxBatch images, or, with no wait, those already waiting. It
// also stops when an eighth of the wait passes with no request: clients
// answered by the last pass send their next requests in a burst, and once
// the burst is over, waiting longer only delays the pass.
func (p *Predictor) gather(first *request) []*request {
	batch, n := []*request{first}, len(first.images)
	wait := p.wait()
	end := time.Now().Add(wait)
	for n < p.o.MaxBatch {
		var r *request
		if wait <= 0 {
			select {
			case r = <-p.reqs:
			default:
				return batch
			}
		} else {
			gap := min(wait/8, time.Until(end))
			if gap <= 0 {
				return batch
			}
			t := time.NewTimer(gap)
			select {
			case r = <-p.reqs:
				t.Stop()
			case <-t.C:
				return batch
			case <-p.quit:
				t.Stop()
				return batch
			}
		}
		batch, n = append(batch, r), n+len(r.images)
	}
	return batch
}

// item is one image of a pass: request r's image i.
type item struct {
	r *request
	i int
}

// run predicts the images of the batch's live requests, in passes of at
// most MaxBatch images of one size, and hands each request its results.
func (p *Predictor) run(batch []*request) {
	groups := map[[3]int][]item{}
	var order [][3]int
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = context.Cause(r.ctx)
			continue
		}
		r.out = make([]Prediction, len(r.images))
		for i, im := range r.images {
			key := [3]int{im.Channels, im.Height, im.Width}
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			groups[key] = append(groups[key], item{r, i})
		}
	}
	for _, key := range order {
		items := groups[key]
		for len(items) > 0 {
			n := min(len(items), p.o.MaxBatch)
			if err := p.pass(key, items[:n]); err != nil {
				for _, it := range items[:n] {
					if it.r.err == nil {
						it.r.err = &ImageError{Index: it.i, Err: err}
					}
				}
			}
			items = items[n:]
		}
	}
	for _, r := range batch {
		if r.err != nil {
			r.out = nil
		}
		close(r.done)
	}
}

// pass runs one forward pass over items, images of size key, and stores
// each one's prediction. A panic, which would be a bug, becomes an error:
// one request must not take down the program serving it.
func (p *Predictor) pass(key [3]int, items []item) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("classify: internal error in a prediction pass: %v", r)
		}
	}()
	db, ok := p.batches[key]
	if !ok {
		if len(p.batches) >= 4 {
			// Sizes vary: keep the upload buffers of a few.
			for k, old := range p.batches {
				old.Free()
				delete(p.batches, k)
			}
		}
		db = NewDeviceBatch(p.m.Device(), p.o.MaxBatch, key[0], key[1], key[2], p.m.Input())
		p.batches[key] = db
	}
	b := &Batch{Channels: key[0], Height: key[1], Width: key[2], Labels: make([]int32, len(items))}
	for _, it := range items {
		b.Images = append(b.Images, it.r.images[it.i].Pixels...)
	}
	x, _ := db.Upload(b)
	logits, _, _ := p.m.Eval(x, nil)
	host, err := logits.Float32s()
	if err != nil {
		return err
	}
	k := p.m.Classes()
	for j, it := range items {
		pred, err := predictionOf(host[j*k : (j+1)*k])
		if err != nil {
			it.r.err = &ImageError{Index: it.i, Err: err}
			continue
		}
		it.r.out[it.i] = pred
	}
	return nil
}
