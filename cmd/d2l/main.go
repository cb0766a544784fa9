// Command d2l trains networks of Dive into Deep Learning on Fashion-MNIST
// with the book's recipes, on the CPU or the GPU, with the same training
// loop, evaluation and checkpoints as AlexNet:
//
//	d2l -model lenet      # ch. 7.6: sigmoids, average pooling; lr 0.9, batch 256
//	d2l -model lenet-bn   # ch. 8.5: with batch normalisation; lr 1.0, batch 256
//	d2l -model lenet-relu # ReLU and max-pooling; lr 0.1, batch 128
//	d2l -model vgg11      # ch. 8.2: VGG-11, a quarter of its channels, at 224x224; lr 0.05, batch 128
//	d2l -model nin        # ch. 8.3: Network in Network at 224x224; lr 0.1, batch 128
//	d2l -model googlenet  # ch. 8.4: GoogLeNet, Inception blocks, at 96x96; lr 0.1, batch 128
//	d2l -model resnet18   # ch. 8.6: ResNet-18 at 96x96; lr 0.05, batch 256
//	d2l -model densenet   # ch. 8.7: DenseNet at 96x96; lr 0.1, batch 256
//
// It prints every epoch's loss and accuracies, then the test accuracy and
// confusion matrix, and saves the weights where PyTorch's nn.Sequential of
// the same layers loads them (safetensors.torch.load_file, then
// load_state_dict), or with -names d2l or d2l-0.17 the book's own model
// of the current or the 0.17 release. -load starts from weights saved so,
// or by the book's own model in PyTorch, whichever names they have; with
// -eval it only evaluates them (and with -save writes them under -names).
// A run does not replace an existing -save file it did not load unless
// given -overwrite. The exit status is 0 on success, 2 for a bad flag and 1 for any other
// failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/tensorforge/tensorforge/charts"
	"github.com/tensorforge/tensorforge/classify"
	_ "github.com/tensorforge/tensorforge/cuda" // registers "cuda" in -tags cuda builds; empty otherwise
	"github.com/tensorforge/tensorforge/densenet"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/googlenet"
	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"github.com/tensorforge/tensorforge/internal/hostfile"
	"github.com/tensorforge/tensorforge/lenet"
	"github.com/tensorforge/tensorforge/nin"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/resnet"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/vgg"
)

// models are the networks the command trains, with their recipes.
var models = slices.Concat(lenet.Models, vgg.Models, nin.Models, googlenet.Models, resnet.Models, densenet.Models)

// options are the command's settings; zero epochs, batch, lr and size
// stand for the model's recipe.
type options struct {
	model, device                                  string
	epochs, batch, limit, testLimit, threads, size int
	lr                                             float64
	seed                                           uint64
	save, plot, log, data, load, names             string
	eval, overwrite                                bool
}

func main() {
	var o options
	fs := flag.NewFlagSet("d2l", flag.ContinueOnError)
	fs.StringVar(&o.model, "model", "lenet", "network: lenet (ch. 7.6), lenet-bn (ch. 8.5), lenet-relu, vgg11 (ch. 8.2), nin (ch. 8.3), googlenet (ch. 8.4), resnet18 (ch. 8.6) or densenet (ch. 8.7)")
	fs.StringVar(&o.device, "device", "cpu", "device to run on: cpu or cuda (cuda needs a binary built with -tags cuda)")
	fs.IntVar(&o.threads, "threads", runtime.GOMAXPROCS(0), "CPU worker threads")
	fs.IntVar(&o.epochs, "epochs", 0, "epochs to train (0: the book's, 10)")
	fs.IntVar(&o.batch, "batch", 0, "images per step (0: the book's recipe)")
	fs.Float64Var(&o.lr, "lr", 0, "learning rate (0: the book's recipe)")
	fs.IntVar(&o.size, "size", 0, "height and width the 28x28 images are resized to (0: the model's, 28 for lenet, 224 for vgg11 and nin, 96 for googlenet, resnet18 and densenet)")
	fs.IntVar(&o.limit, "limit", 0, "train on the first `N` images only (0: all)")
	fs.IntVar(&o.testLimit, "test-limit", 0, "test on the first `N` images only (0: all)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the initial weights and the shuffling")
	fs.StringVar(&o.save, "save", "", "`file` for the trained weights, replaced atomically (empty: none)")
	fs.StringVar(&o.names, "names", "flat", "tensor names -save writes: flat (an nn.Sequential of the layers), d2l or d2l-0.17 (the book's model, current or 0.17 release)")
	fs.StringVar(&o.load, "load", "", "weights `file` to start from, under any of -names' names (a state dict of the book's PyTorch model too); resumes its epoch count")
	fs.BoolVar(&o.eval, "eval", false, "evaluate -load's weights on the test set and stop")
	fs.BoolVar(&o.overwrite, "overwrite", false, "let -save replace an existing file this run did not -load")
	fs.StringVar(&o.plot, "plot", "", "`file` (.svg or .png) for the training curves, redrawn every epoch")
	fs.StringVar(&o.log, "log", "", "`file` the run's log is written to as JSON after every epoch")
	fs.StringVar(&o.data, "data", "", "`directory` of the Fashion-MNIST files (default: the repository's)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "d2l:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad flag value: the exit status is 2.
type usageError struct{ error }

// recipe fills o's zero values from the model's recipe and checks the
// rest, naming the flag that is wrong.
func recipe(o options) (classify.Recipe, options, error) {
	m, err := classify.FindRecipe(models, o.model)
	if err != nil {
		return m, o, usageError{fmt.Errorf("-model: %w", err)}
	}
	o.epochs = orDefault(o.epochs, m.Epochs)
	o.batch = orDefault(o.batch, m.Batch)
	o.size = orDefault(o.size, m.Input[1])
	if o.lr == 0 {
		o.lr = m.LR
	}
	switch {
	case o.epochs < 0 || o.epochs > classify.MaxEpochs:
		return m, o, usageError{fmt.Errorf("-epochs %d: want 1 to %d (0: the recipe's)", o.epochs, classify.MaxEpochs)}
	case o.batch < 1:
		return m, o, usageError{fmt.Errorf("-batch %d: want at least 1", o.batch)}
	case !(o.lr > 0):
		return m, o, usageError{fmt.Errorf("-lr %g: want a positive number", o.lr)}
	case o.limit < 0 || o.testLimit < 0:
		return m, o, usageError{fmt.Errorf("-limit %d, -test-limit %d: want 0 (all) or more", o.limit, o.testLimit)}
	case o.threads < 1:
		return m, o, usageError{fmt.Errorf("-threads %d: want at least 1", o.threads)}
	case o.eval && o.load == "":
		return m, o, usageError{errors.New("-eval: evaluates the weights of -load, which is not given")}
	}
	if o.names == "" {
		o.names = flatNames
	}
	if o.names != flatNames && !slices.ContainsFunc(m.Namings, func(n classify.Naming) bool { return n.Name == o.names }) {
		want := []string{flatNames}
		for _, n := range m.Namings {
			want = append(want, n.Name)
		}
		return m, o, usageError{fmt.Errorf("-names %s: want one of %s for %s", o.names, strings.Join(want, ", "), m.Name)}
	}
	if o.load != "" {
		if st, err := os.Stat(o.load); err != nil {
			return m, o, usageError{fmt.Errorf("-load: %w", err)}
		} else if err := hostfile.CheckRegular(st.Mode()); err != nil {
			return m, o, usageError{fmt.Errorf("-load %s: %w", o.load, err)}
		}
	}
	// Before any work: the network's windows must fit the input.
	if err := m.Check(input(m, o.size)); err != nil {
		return m, o, usageError{fmt.Errorf("-size %d: %w", o.size, err)}
	}
	if o.plot != "" {
		if err := charts.CheckPath(o.plot); err != nil {
			return m, o, usageError{fmt.Errorf("-plot: %w", err)}
		}
	}
	// An existing file is not replaced by a run that did not start from
	// it: a typo or a forgotten -load must not cost a finished training.
	if o.save != "" && !o.overwrite && atomicfile.Replaces(o.save, o.load) {
		return m, o, usageError{fmt.Errorf("-save %s: the file exists and this run did not load it; pass -load %s to resume from it, -overwrite to replace it, or another -save", o.save, o.save)}
	}
	// Output paths are tried before any work, not after ten epochs.
	for _, out := range []struct{ flag, path string }{{"save", o.save}, {"plot", o.plot}, {"log", o.log}} {
		if out.path == "" {
			continue
		}
		if err := atomicfile.CheckWritable(out.path); err != nil {
			return m, o, usageError{fmt.Errorf("-%s: %w", out.flag, err)}
		}
	}
	return m, o, nil
}

// flatNames is -names' value for the network's own names.
const flatNames = "flat"

// input is the shape of one sample of m's network at size x size.
func input(m classify.Recipe, size int) []int { return []int{m.Input[0], size, size} }

// orDefault returns v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func run(ctx context.Context, out io.Writer, o options) error {
	model, o, err := recipe(o)
	if err != nil {
		return err
	}
	var dev tensor.Device
	if o.device == "cpu" {
		if dev, err = tensor.OpenCPU(o.threads); err != nil {
			return err
		}
	} else {
		if dev, err = tensor.Open(o.device); err != nil {
			if !slices.Contains(tensor.Devices(), o.device) {
				err = usageError{err}
			}
			return fmt.Errorf("-device %s: %w", o.device, err)
		}
	}
	train, test, err := fashionmnist.Source{Dir: o.data}.Load(ctx)
	if err != nil {
		return err
	}
	cfg := classify.Config{
		Input: input(model, o.size), Seed: o.seed, SGD: tensor.SGDOptions{LR: float32(o.lr)},
		Meta: map[string]string{"model": model.Name}, Namings: model.Namings, Inference: o.eval,
	}
	if o.names != flatNames {
		cfg.SaveAs = o.names
	}
	m, done, err := build(dev, model, cfg, o.load)
	if err != nil {
		return err
	}
	defer m.Free()
	fmt.Fprintf(out, "%s (%s) on %s: %dx%d input, %d epochs, batch %d, lr %g, seed %d\n",
		model.Name, model.Source, o.device, o.size, o.size, o.epochs, o.batch, o.lr, o.seed)
	nn.WriteSummary(out, m.Net().Summary())
	if o.load != "" {
		fmt.Fprintf(out, "weights from %s, after %d epochs\n", o.load, done)
	}
	if o.eval {
		if err := evaluate(ctx, out, m, test, o); err != nil {
			return err
		}
		if o.save == "" {
			return nil
		}
		return m.SaveWeights(o.save, done)
	}
	runLog := &classify.RunLog{Batch: o.batch, Seed: o.seed, Meta: map[string]string{
		"model": model.Name, "device": o.device, "sgd": fmt.Sprintf("lr %g", o.lr),
	}}
	history, err := classify.Train(ctx, m, train, test, classify.TrainOptions{
		Epochs: o.epochs, Batch: o.batch, Limit: o.limit, TestLimit: o.testLimit, Seed: o.seed, Save: o.save, Done: done,
		Progress: classify.NewProgress(out, nil, 0),
		AfterEpoch: func(history []classify.EpochStats) error {
			var errs []error
			if o.plot != "" {
				errs = append(errs, charts.TrainingCurves(o.plot, history))
			}
			if o.log != "" {
				runLog.Epochs = history
				errs = append(errs, runLog.Save(o.log))
			}
			return errors.Join(errs...)
		},
	})
	if errors.Is(err, classify.ErrStepTooSmall) {
		return usageError{fmt.Errorf("-batch %d: %w", o.batch, err)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "after %d epochs: ", done+len(history))
	return evaluate(ctx, out, m, test, o)
}

// build makes the model of cfg: with weights drawn from its seed, or those
// of the file load and the epochs it records.
func build(dev tensor.Device, model classify.Recipe, cfg classify.Config, load string) (*classify.Model, int, error) {
	net := model.Net(fashionmnist.NumClasses)
	if load == "" {
		m, err := classify.New(dev, net, cfg)
		return m, 0, err
	}
	m, info, err := classify.Load(dev, net, load, cfg)
	return m, info.Epoch, err
}

// evaluate prints the model's test accuracy and confusion matrix.
func evaluate(ctx context.Context, out io.Writer, m *classify.Model, test classify.Dataset, o options) error {
	ev, err := classify.Evaluate(ctx, m, test, o.batch, o.testLimit)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "test accuracy %.4f (%d of %d)\n", ev.Accuracy(), ev.Correct(), ev.Total())
	return ev.WriteConfusion(out, fashionmnist.ClassName)
}
