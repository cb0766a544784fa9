// Command server serves a trained AlexNet over HTTP, as a Go service would
// embed tensorforge: POST a PNG or JPEG image to /predict and get its
// class and the probabilities of all ten as JSON. Requests from many
// clients that arrive together run as one forward pass (classify.Predictor),
// which is safe for concurrent use; the model is loaded for inference
// only, without gradients, optimizer or random initialisation.
//
//	go run ./cmd/alexnet train -epochs 1 -limit 6000 -size 65 -save small.safetensors
//	go run ./examples/server -load small.safetensors &
//	curl --data-binary @shirt.png localhost:8080/predict
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	_ "github.com/tensorforge/tensorforge/cuda" // lets -tags cuda builds use the GPU
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/tensor"
)

func main() {
	load := flag.String("load", "alexnet.safetensors", "checkpoint `file` to serve (as alexnet train -save writes it, or a PyTorch state dict)")
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	device := flag.String("device", "cpu", "device to run on: cpu or cuda")
	threads := flag.Int("threads", runtime.GOMAXPROCS(0), "CPU worker threads")
	maxBatch := flag.Int("max-batch", 64, "most images in one forward pass")
	maxWait := flag.Duration("max-wait", 2*time.Millisecond, "how long a request waits for others to share its pass")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *load, *addr, *device, *threads, classify.PredictorOptions{MaxBatch: *maxBatch, MaxWait: *maxWait}); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, load, addr, device string, threads int, o classify.PredictorOptions) error {
	dev, err := openDevice(device, threads)
	if err != nil {
		return err
	}
	p, err := newPredictor(dev, load, o)
	if err != nil {
		return err
	}
	defer p.Close()
	srv := &http.Server{Addr: addr, Handler: newHandler(p, fashionmnist.ClassName), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("serving %s on %s at http://%s/predict", load, dev.Name(), addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openDevice opens the named device, a CPU one with its own worker count.
func openDevice(name string, threads int) (tensor.Device, error) {
	if name == "cpu" {
		if threads < 1 {
			return nil, fmt.Errorf("-threads %d: want at least 1", threads)
		}
		return tensor.OpenCPU(threads)
	}
	return tensor.Open(name)
}

// newPredictor loads the checkpoint for inference and starts a predictor
// that owns the model.
func newPredictor(dev tensor.Device, path string, o classify.PredictorOptions) (*classify.Predictor, error) {
	m, _, err := alexnet.Load(dev, path, alexnet.Config{Inference: true})
	if err != nil {
		return nil, err
	}
	p, err := classify.NewPredictor(m, o)
	if err != nil {
		m.Free()
		return nil, err
	}
	return p, nil
}
