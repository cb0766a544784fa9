// Command lenet trains LeNet-5 (Dive into Deep Learning, ch. 7.6) on
// 28x28 Fashion-MNIST with the same training loop, evaluation and
// checkpoints as AlexNet: a network written with nn, handed to package
// classify. The book's LeNet uses sigmoids and average pooling; this one
// uses ReLU and max-pooling, the modern variant the book's exercises
// suggest, which learns much faster with plain SGD.
//
//	go run ./examples/lenet -epochs 10
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/tensor"
)

// LeNet returns LeNet-5 for 1x28x28 images and 10 classes: two
// convolutions with pooling, three linear layers.
func LeNet() *nn.Sequential {
	return nn.NewSequential(
		nn.NewConv2d(6, tensor.Square(5, 1, 2)), nn.NewReLU(), nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
		nn.NewConv2d(16, tensor.Square(5, 1, 0)), nn.NewReLU(), nn.NewMaxPool2d(tensor.Square(2, 2, 0)),
		nn.NewFlatten(),
		nn.NewLinear(120), nn.NewReLU(),
		nn.NewLinear(84), nn.NewReLU(),
		nn.NewLinear(fashionmnist.NumClasses),
	)
}

// options are the command's settings.
type options struct {
	epochs, batch, limit, testLimit, threads int
	lr                                       float64
	save, data                               string
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 10, "epochs to train")
	flag.IntVar(&o.batch, "batch", 128, "images per step")
	flag.Float64Var(&o.lr, "lr", 0.1, "learning rate")
	flag.IntVar(&o.limit, "limit", 0, "train on the first `N` images only (0: all)")
	flag.IntVar(&o.testLimit, "test-limit", 0, "test on the first `N` images only (0: all)")
	flag.IntVar(&o.threads, "threads", runtime.GOMAXPROCS(0), "CPU worker threads")
	flag.StringVar(&o.save, "save", "lenet.safetensors", "checkpoint `file` (empty: none)")
	flag.StringVar(&o.data, "data", "", "`directory` of the Fashion-MNIST files (default: the repository's)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, o options) error {
	train, test, err := fashionmnist.Source{Dir: o.data}.Load(ctx)
	if err != nil {
		return err
	}
	m, err := classify.New(tensor.NewCPU(o.threads), LeNet(), classify.Config{
		Input: []int{1, 28, 28}, Seed: 1, SGD: tensor.SGDOptions{LR: float32(o.lr)},
		Prefix: "net.", Meta: map[string]string{"model": "lenet"},
	})
	if err != nil {
		return err
	}
	defer m.Free()
	nn.WriteSummary(out, m.Net().Summary())
	history, err := classify.Train(ctx, m, train, test, classify.TrainOptions{
		Epochs: o.epochs, Batch: o.batch, Limit: o.limit, TestLimit: o.testLimit, Seed: 1, Save: o.save,
		Progress: classify.NewProgress(out, nil, 0),
	})
	if err != nil {
		return err
	}
	ev, err := classify.Evaluate(ctx, m, test, o.batch, o.testLimit)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "after %d epochs: test accuracy %.4f (%d of %d)\n", len(history), ev.Accuracy(), ev.Correct(), ev.Total())
	return ev.WriteConfusion(out, fashionmnist.ClassName)
}
