package classify

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// randomImage returns a 1-channel image of h x w random pixels.
func randomImage(r *rand.Rand, h, w int) Image {
	im := Image{Channels: 1, Height: h, Width: w, Pixels: make([]uint8, h*w)}
	for i := range im.Pixels {
		im.Pixels[i] = uint8(r.IntN(256))
	}
	return im
}

// alone predicts each image by itself, with a model of its own.
func alone(t *testing.T, imgs []Image) []Prediction {
	t.Helper()
	c := tiny
	c.Inference = true
	m := newTiny(t, c)
	defer m.Free()
	out := make([]Prediction, len(imgs))
	for i, im := range imgs {
		d := &images{px: im.Pixels, c: 1, h: im.Height, w: im.Width}
		p, err := Predict(context.Background(), m, d, 1)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = p[0]
	}
	return out
}

// same reports whether two predictions agree: the class, and the
// probabilities to rounding (a batched product may sum in another order).
func same(a, b Prediction) bool {
	if a.Class != b.Class || len(a.Probabilities) != len(b.Probabilities) {
		return false
	}
	for i := range a.Probabilities {
		if math.Abs(a.Probabilities[i]-b.Probabilities[i]) > 1e-6 {
			return false
		}
	}
	return true
}

// TestPredictorConcurrent sends single images and small groups from many
// goroutines at once, images of two sizes among them, and checks every
// answer against a one-at-a-time run; it also checks that requests were
// batched: fewer passes than requests.
func TestPredictorConcurrent(t *testing.T) {
	const clients, each = 16, 4
	r := rand.New(rand.NewPCG(3, 4))
	imgs := make([]Image, clients*each)
	for i := range imgs {
		side := 12
		if i%5 == 0 {
			side = 20 // resized to the model's 12x12, as in training
		}
		imgs[i] = randomImage(r, side, side)
	}
	want := alone(t, imgs)

	c := tiny
	c.Inference = true
	m := newTiny(t, c)
	var passes atomic.Int32
	m.Net().Trace = func(s nn.Stage) {
		if s.Layer == 0 && !s.Backward {
			passes.Add(1)
		}
	}
	p, err := NewPredictor(m, PredictorOptions{MaxBatch: 8, MaxWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var wg sync.WaitGroup
	var requests atomic.Int32
	for cl := range clients {
		wg.Go(func() {
			for j := 0; j < each; {
				// Some requests carry one image, some two.
				n := 1 + (cl+j)%2
				n = min(n, each-j)
				i := cl*each + j
				got, err := p.Predict(context.Background(), imgs[i:i+n]...)
				requests.Add(1)
				if err != nil {
					t.Error(err)
					return
				}
				for k := range n {
					if !same(got[k], want[i+k]) {
						t.Errorf("image %d: %+v batched, %+v alone", i+k, got[k], want[i+k])
					}
				}
				j += n
			}
		})
	}
	wg.Wait()
	if n, reqs := passes.Load(), requests.Load(); n >= reqs {
		t.Errorf("%d passes for %d requests: nothing was batched", n, reqs)
	}
}

// TestPredictorChunks sends more images in one request than a pass takes.
func TestPredictorChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	imgs := make([]Image, 11)
	for i := range imgs {
		imgs[i] = randomImage(r, 12, 12)
	}
	want := alone(t, imgs)
	p, err := NewPredictor(newTiny(t, tiny), PredictorOptions{MaxBatch: 4, MaxWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got, err := p.Predict(context.Background(), imgs...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !same(got[i], want[i]) {
			t.Errorf("image %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPredictorErrors(t *testing.T) {
	p, err := NewPredictor(newTiny(t, tiny), PredictorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	good := randomImage(rand.New(rand.NewPCG(1, 1)), 12, 12)
	rgb := Image{Channels: 3, Height: 2, Width: 2, Pixels: make([]uint8, 12)}
	short := Image{Channels: 1, Height: 4, Width: 4, Pixels: make([]uint8, 15)}
	huge := Image{Channels: 1, Height: 1 << 20, Width: 1 << 20}
	for _, c := range []struct {
		images []Image
		index  int
		want   string
	}{
		{[]Image{good, rgb}, 1, "3 channels, the model takes 1"},
		{[]Image{short}, 0, "15 bytes of pixels for 1x4x4, want 16"},
		{[]Image{good, good, huge}, 2, "height 1048576: want 1 to 4096"},
	} {
		_, err := p.Predict(context.Background(), c.images...)
		var ie *ImageError
		if !errors.As(err, &ie) || ie.Index != c.index || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want image %d: %s", err, c.index, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Predict(ctx, good); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
	if _, err := p.Predict(context.Background(), good); err != nil {
		t.Errorf("a good image after bad requests: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Predict(context.Background(), good); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := NewPredictor(newTiny(t, tiny), PredictorOptions{MaxBatch: -1}); err == nil {
		t.Error("MaxBatch -1 accepted")
	}
}

// TestPredictTensorAndUnlabelled checks prediction from a tensor and from
// a dataset without labels against each other, and that Evaluate refuses
// a dataset without labels.
func TestPredictTensorAndUnlabelled(t *testing.T) {
	m := newTiny(t, tiny)
	d := synthetic(5, 12)
	d.labels = nil
	fromData, err := Predict(context.Background(), m, d, 2)
	if err != nil || len(fromData) != 5 {
		t.Fatalf("%d predictions, %v", len(fromData), err)
	}
	x := tensor.Zeros(tensor.CPU(), 5, 1, 12, 12)
	px := make([]float32, len(d.px))
	for i, v := range d.px {
		px[i] = float32(v) / 255
	}
	x.CopyFrom(px)
	fromTensor, err := m.PredictTensor(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fromData {
		if !same(fromData[i], fromTensor[i]) {
			t.Errorf("image %d: %+v from the dataset, %+v from the tensor", i, fromData[i], fromTensor[i])
		}
	}
	if _, err := m.PredictTensor(tensor.Zeros(tensor.CPU(), 2, 1, 11, 12)); err == nil || !strings.Contains(err.Error(), "[2 1 11 12]") {
		t.Errorf("a tensor of another shape: %v", err)
	}
	if _, err := Evaluate(context.Background(), m, d, 2, 0); err == nil || !strings.Contains(err.Error(), "no labels") {
		t.Errorf("Evaluate without labels: %v", err)
	}
}

// TestCheckBatch checks that a batch too large for the memory left is
// refused with the bytes named, before anything is allocated for it, by
// Train, Predict and NewPredictor alike.
func TestCheckBatch(t *testing.T) {
	if _, ok := tensor.MemoryAvailable(tensor.CPU()); !ok {
		t.Skip("the CPU device cannot tell the memory available here")
	}
	m := newTiny(t, tiny)
	const huge = 1 << 30
	for name, err := range map[string]error{
		"CheckBatch":   m.CheckBatch(huge),
		"NewPredictor": func() error { _, err := NewPredictor(m, PredictorOptions{MaxBatch: huge}); return err }(),
		"Predict":      func() error { _, err := Predict(context.Background(), m, bigData{}, huge); return err }(),
		"Evaluate":     func() error { _, err := Evaluate(context.Background(), m, bigLabelled{}, huge, 0); return err }(),
		"Train": func() error {
			_, err := Train(context.Background(), m, bigLabelled{}, bigLabelled{}, TrainOptions{Epochs: 1, Batch: huge})
			return err
		}(),
	} {
		if err == nil || !strings.Contains(err.Error(), "not enough memory on cpu: batches of 1073741824 need about") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := m.CheckBatch(8); err != nil {
		t.Errorf("a batch of 8: %v", err)
	}
}

// bigData claims more images than memory holds; none is ever read.
type bigData struct{}

func (bigData) Len() int             { return 1 << 30 }
func (bigData) Shape() (c, h, w int) { return 1, 12, 12 }
func (bigData) Image(int) []uint8    { panic("read an image") }
func (bigData) Label(int) int        { return -1 }

// bigLabelled is bigData with labels.
type bigLabelled struct{ bigData }

func (bigLabelled) Label(int) int { return 0 }
