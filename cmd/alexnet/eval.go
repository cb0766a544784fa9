package main

import (
	"context"
	"fmt"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
)

func runEval(ctx context.Context, env *env, args []string) error {
	fs := newFlagSet(env, "eval", "",
		"Measures a checkpoint's accuracy on the Fashion-MNIST test set and prints the\n"+
			"confusion matrix: a row per true class, a column per predicted class.")
	devFlags := addDeviceFlags(fs)
	load := loadFlag(fs)
	data := dataFlag(fs)
	batch := fs.Int("batch", 128, "images per forward pass")
	limit := fs.Int("limit", 0, "evaluate the first `N` test images only (0: all)")
	size := sizeFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := atLeast("batch", *batch, 1); err != nil {
		return err
	}
	if err := atLeast("limit", *limit, 0); err != nil {
		return err
	}
	if err := existingFile("load", *load); err != nil {
		return err
	}
	if err := checkLoadSize(*size); err != nil {
		return err
	}
	if *data != "" {
		if err := existingDir("data", *data); err != nil {
			return err
		}
	}
	dev, err := devFlags.open(env)
	if err != nil {
		return err
	}
	m, info, err := alexnet.Load(dev, *load, alexnet.Config{Size: *size, Inference: true, Precision: devFlags.precision.p})
	if err != nil {
		return err
	}
	defer m.Free()
	_, test, err := loadData(ctx, env, *data)
	if err != nil {
		return err
	}
	ev, err := classify.Evaluate(ctx, m, test, *batch, *limit)
	if err != nil {
		return err
	}
	in := m.Input()
	fmt.Fprintf(env.stdout, "%s (%d epochs, %dx%d input) on %s: test accuracy %.4f (%d of %d)\n\n",
		*load, info.Epoch, in[1], in[2], dev.Name(), ev.Accuracy(), ev.Correct(), ev.Total())
	return ev.WriteConfusion(env.stdout, fashionmnist.ClassName)
}
