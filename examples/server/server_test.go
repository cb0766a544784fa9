package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/tensor"
)

// checkpoint saves the weights of a fresh AlexNet of c and returns the
// file.
func checkpoint(t testing.TB, c alexnet.Config) string {
	t.Helper()
	m, err := alexnet.New(tensor.CPU(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	path := filepath.Join(t.TempDir(), "weights.safetensors")
	if err := m.SaveWeights(path, 0); err != nil {
		t.Fatal(err)
	}
	return path
}

// pngs returns n random 28x28 gray images as PNG files, and their pixels.
func pngs(t testing.TB, n int) (files [][]byte, pixels [][]uint8) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	for range n {
		img := image.NewGray(image.Rect(0, 0, 28, 28))
		for i := range img.Pix {
			img.Pix[i] = uint8(r.IntN(256))
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		files, pixels = append(files, b.Bytes()), append(pixels, img.Pix)
	}
	return files, pixels
}

// post sends one image and decodes the answer.
func post(client *http.Client, url string, body []byte) (result, int, error) {
	resp, err := client.Post(url+"/predict", "image/png", bytes.NewReader(body))
	if err != nil {
		return result{}, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return result{}, resp.StatusCode, fmt.Errorf("%s: %s", resp.Status, msg)
	}
	var res result
	return res, resp.StatusCode, json.NewDecoder(resp.Body).Decode(&res)
}

// small is a narrow AlexNet that keeps the test quick.
var small = alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 10, Hidden: 32, Seed: 1}

// TestConcurrentRequests sends images from 16 clients at once (run it with
// -race) and checks every answer against the same model predicting each
// image alone.
func TestConcurrentRequests(t *testing.T) {
	const clients, each = 16, 4
	path := checkpoint(t, small)
	files, pixels := pngs(t, clients*each)

	ref, _, err := alexnet.Load(tensor.CPU(), path, alexnet.Config{Inference: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Free()
	want := make([]classify.Prediction, len(pixels))
	for i, px := range pixels {
		p, err := classify.Predict(context.Background(), ref, &fashionmnist.Dataset{Images: px, Rows: 28, Cols: 28}, 1)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p[0]
	}

	p, err := newPredictor(tensor.NewCPU(2), path, classify.PredictorOptions{MaxBatch: 16, MaxWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(newHandler(p, fashionmnist.ClassName))
	defer srv.Close()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for j := range each {
				i := c*each + j
				got, _, err := post(srv.Client(), srv.URL, files[i])
				if err != nil {
					t.Errorf("image %d: %v", i, err)
					return
				}
				w := want[i]
				if got.Class != w.Class || got.Name != fashionmnist.ClassName(w.Class) || len(got.Probabilities) != 10 {
					t.Errorf("image %d: class %d (%s), alone %d", i, got.Class, got.Name, w.Class)
					continue
				}
				for k, q := range got.Probabilities {
					if math.Abs(q-w.Probabilities[k]) > 1e-6 {
						t.Errorf("image %d: probability %d is %v, alone %v", i, k, q, w.Probabilities[k])
						break
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestBadRequests checks that what a client gets wrong comes back as a 4xx
// with the reason, and the server goes on serving.
func TestBadRequests(t *testing.T) {
	p, err := newPredictor(tensor.CPU(), checkpoint(t, small), classify.PredictorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(p, fashionmnist.ClassName))
	defer srv.Close()
	files, _ := pngs(t, 1)
	for _, c := range []struct {
		name string
		body []byte
		code int
		want string
	}{
		{"text", []byte("hello"), 400, "not a PNG or JPEG"},
		{"truncated", files[0][:len(files[0])/2], 400, "png image"},
		{"too long", make([]byte, maxBody+1), 413, "too large"},
	} {
		_, code, err := post(srv.Client(), srv.URL, c.body)
		if code != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: status %d, %v; want %d and %q", c.name, code, err, c.code, c.want)
		}
	}
	if resp, err := srv.Client().Get(srv.URL + "/predict"); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v, %v", resp.Status, err)
	}
	if _, code, err := post(srv.Client(), srv.URL, files[0]); code != 200 {
		t.Errorf("a good image after bad ones: %d, %v", code, err)
	}
	p.Close()
	if _, code, _ := post(srv.Client(), srv.URL, files[0]); code != http.StatusServiceUnavailable {
		t.Errorf("after Close: status %d, want 503", code)
	}
}

// BenchmarkServer measures requests per second with 16 clients each
// sending one image at a time, on the book's AlexNet at 224x224 and on the
// small one: one image a pass (MaxBatch 1, requests one at a time), and
// batched. Run it on two threads with -benchtime=Nx (N requests).
func BenchmarkServer(b *testing.B) {
	const clients = 16
	for _, model := range []struct {
		name string
		c    alexnet.Config
	}{
		{"alexnet224", alexnet.Config{InChannels: 1, Size: 224, Classes: 10, Seed: 1}},
		{"small", small},
	} {
		// Built only when one of the model's benchmarks runs: AlexNet's
		// 47 million weights take seconds to draw and save.
		path := sync.OnceValue(func() string { return checkpoint(b, model.c) })
		files, _ := pngs(b, clients)
		for _, mode := range []struct {
			name string
			o    classify.PredictorOptions
		}{
			{"one-at-a-time", classify.PredictorOptions{MaxBatch: 1, MaxWait: -1}},
			{"batched", classify.PredictorOptions{MaxBatch: 64}},
		} {
			b.Run(model.name+"/"+mode.name, func(b *testing.B) {
				p, err := newPredictor(tensor.CPU(), path(), mode.o)
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				srv := httptest.NewServer(newHandler(p, fashionmnist.ClassName))
				defer srv.Close()
				if _, _, err := post(srv.Client(), srv.URL, files[0]); err != nil { // sizes the buffers
					b.Fatal(err)
				}
				var left atomic.Int64
				left.Store(int64(b.N))
				b.ResetTimer()
				var wg sync.WaitGroup
				for c := range clients {
					wg.Go(func() {
						for left.Add(-1) >= 0 {
							if _, _, err := post(srv.Client(), srv.URL, files[c]); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
			})
		}
	}
}
