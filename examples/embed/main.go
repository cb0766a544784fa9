// Command embed shows tensorforge used as a library by another Go program:
// it builds a narrow AlexNet, trains it for a few epochs on synthetic
// 28x28 images (class k is a bright bar at a height that depends on k),
// saves a checkpoint, loads it into a fresh model and classifies new
// images with it.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	_ "github.com/tensorforge/tensorforge/cuda" // lets -tags cuda builds use the GPU
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/tensor"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	dev, err := tensor.Open("cpu")
	if err != nil {
		return err
	}
	// The smallest input AlexNet's windows fit and narrow hidden layers
	// keep this quick; the book uses 224 and 4096.
	cfg := alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 4, Hidden: 64, Seed: 1,
		SGD: tensor.SGDOptions{LR: 0.05, Momentum: 0.9}}
	m, err := alexnet.New(dev, cfg)
	if err != nil {
		return err
	}
	defer m.Free()
	dir, err := os.MkdirTemp("", "embed")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ckpt := filepath.Join(dir, "model.safetensors")

	train, test := bars(128, cfg.Classes, 1), bars(8, cfg.Classes, 2)
	_, err = classify.Train(context.Background(), m, train, test, classify.TrainOptions{
		Epochs: 3, Batch: 16, Seed: 1, Save: ckpt,
		Progress: classify.NewProgress(os.Stdout, nil, 0),
	})
	if err != nil {
		return err
	}

	// A model only to predict with: no gradients, no optimizer, and the
	// weights not drawn before the checkpoint's replace them.
	loaded, info, err := alexnet.Load(dev, ckpt, alexnet.Config{Inference: true})
	if err != nil {
		return err
	}
	defer loaded.Free()
	preds, err := classify.Predict(context.Background(), loaded, test, 8)
	if err != nil {
		return err
	}
	fmt.Printf("loaded %s after %d epochs\n", filepath.Base(ckpt), info.Epoch)
	for i, p := range preds {
		fmt.Printf("image %d: class %d, predicted %d (p=%.2f)\n", i, test.Labels[i], p.Class, p.Probabilities[p.Class])
	}
	return nil
}

// bars returns n noisy 28x28 images: image i is of class i mod classes
// and has a bright horizontal bar whose height depends on its class.
func bars(n, classes int, seed uint64) *fashionmnist.Dataset {
	r := rand.New(rand.NewPCG(seed, 0))
	d := &fashionmnist.Dataset{Rows: 28, Cols: 28, Images: make([]uint8, n*28*28), Labels: make([]uint8, n)}
	for i := range n {
		class := i % classes
		d.Labels[i] = uint8(class)
		img := d.Image(i)
		for j := range img {
			img[j] = uint8(r.IntN(64))
		}
		top := 4 + 6*class
		for j := top * 28; j < (top+3)*28; j++ {
			img[j] = 255
		}
	}
	return d
}
