// Command alexnet trains and runs the AlexNet of Dive into Deep Learning
// (chapter 8.1) on Fashion-MNIST with the tensorforge engine.
//
// Usage:
//
//	alexnet <command> [flags] [args]
//
// The commands are summary, train, eval, predict, bench and compare;
// `alexnet <command> -h` lists a command's flags. A typical session:
//
//	alexnet train -device cuda -save alexnet.safetensors -plot curves.svg
//	alexnet eval -load alexnet.safetensors
//	alexnet predict -load alexnet.safetensors shirt.png
//
// The exit status is 0 on success, 2 for a usage error (a bad flag or
// argument) and 1 for any other failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: run parses args (the arguments after the
// command's name) with its own FlagSet.
type command struct {
	name, synopsis string
	run            func(ctx context.Context, env *env, args []string) error
}

// commands lists the subcommands in the order usage prints them.
var commands = []command{
	{"summary", "print the model's layers, output shapes, parameters and FLOPs", runSummary},
	{"train", "train on Fashion-MNIST, report per-epoch metrics, save a checkpoint", runTrain},
	{"eval", "test accuracy and confusion matrix of a checkpoint", runEval},
	{"predict", "classify 28x28 PNG files or an IDX images file", runPredict},
	{"bench", "GFLOP/s of every kernel and of the model, on every device, side by side", runBench},
	{"compare", "train a few steps on the CPU and the GPU from the same start; compare losses, weights, speed", runCompare},
}

// env is where a command writes: results to stdout, diagnostics and
// progress to stderr.
type env struct {
	stdout, stderr io.Writer
}

func main() {
	// The first Ctrl-C or SIGTERM cancels ctx: training stops after its
	// current step and saves a checkpoint (see handleSignals).
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go handleSignals(sigs, cancel, os.Stderr, os.Exit)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr})
	signal.Stop(sigs)
	os.Exit(code)
}

// run dispatches to the subcommand named by args[0] and returns the exit
// status.
func run(ctx context.Context, args []string, env *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(env.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errFlagParse):
			return 2 // the FlagSet has printed the error and the flags
		case errors.As(err, &ue):
			fmt.Fprintf(env.stderr, "alexnet %s: %v\n", c.name, err)
			return 2
		}
		fmt.Fprintf(env.stderr, "alexnet %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(env.stderr, "alexnet: unknown command %q\n", args[0])
	usage(env.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: alexnet <command> [flags] [args]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.synopsis)
	}
	fmt.Fprintln(w, "\nRun 'alexnet <command> -h' for a command's flags.")
}

// usageError marks an error the user made on the command line; it exits
// with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errFlagParse reports that a FlagSet rejected the arguments and has already
// said why.
var errFlagParse = errors.New("bad flags")

// newFlagSet returns a FlagSet for the named command whose usage names the
// positional arguments it takes (args, possibly "").
func newFlagSet(env *env, name, args, doc string) *flag.FlagSet {
	fs := flag.NewFlagSet("alexnet "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "usage: alexnet %s [flags] %s\n\n%s\n\nflags:\n", name, args, doc)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with fs, turning a rejection into errFlagParse; -h
// gives flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errFlagParse
}
