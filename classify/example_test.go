package classify_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// A small classifier of 8x8 images into two classes, served to several
// goroutines at once through a Predictor, which batches their requests.
// The weights here are random; classify.Load would bring trained ones.
func ExampleNewPredictor() {
	net := nn.NewSequential(
		nn.NewConv2d(4, tensor.Square(3, 1, 1)), nn.NewReLU(), nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
		nn.NewFlatten(), nn.NewLinear(2),
	)
	m, err := classify.New(tensor.NewCPU(2), net, classify.Config{Input: []int{1, 8, 8}, Seed: 1, Inference: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := classify.NewPredictor(m, classify.PredictorOptions{MaxBatch: 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close() // frees the model

	var wg sync.WaitGroup
	results := make([]classify.Prediction, 4)
	for i := range results {
		wg.Go(func() {
			img := classify.Image{Channels: 1, Height: 8, Width: 8, Pixels: make([]uint8, 64)}
			for j := range img.Pixels {
				img.Pixels[j] = uint8(i * 60)
			}
			preds, err := p.Predict(context.Background(), img)
			if err != nil {
				fmt.Println(err)
				return
			}
			results[i] = preds[0]
		})
	}
	wg.Wait()
	for i, r := range results {
		fmt.Printf("image %d: %d probabilities summing to %.2f\n", i, len(r.Probabilities), r.Probabilities[0]+r.Probabilities[1])
	}
	// Output:
	// image 0: 2 probabilities summing to 1.00
	// image 1: 2 probabilities summing to 1.00
	// image 2: 2 probabilities summing to 1.00
	// image 3: 2 probabilities summing to 1.00
}
