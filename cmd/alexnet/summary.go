package main

import (
	"context"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/fashionmnist"
)

func runSummary(_ context.Context, env *env, args []string) error {
	fs := newFlagSet(env, "summary", "",
		"Prints each layer of AlexNet for Fashion-MNIST with its output shape, parameter\n"+
			"count and forward FLOPs for one image, then the totals. Allocates nothing.")
	size := fs.Int("size", 224, "input height and width the images are resized to")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := checkSize(*size); err != nil {
		return err
	}
	return alexnet.WriteSummary(env.stdout, fashionMNISTConfig(*size))
}

// fashionMNISTConfig returns the model for Fashion-MNIST images resized to
// size x size.
func fashionMNISTConfig(size int) alexnet.Config {
	return alexnet.Config{InChannels: 1, Size: size, Classes: fashionmnist.NumClasses}
}
