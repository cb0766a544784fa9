package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// The checks below run before any work, so a typo fails at once rather
// than after an hour of training; each names its flag.

// noArgs refuses positional arguments to a command that takes none.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags go before arguments)", fs.Arg(0))
	}
	return nil
}

// atLeast refuses an integer flag below lo.
func atLeast(name string, v, lo int) error {
	if v < lo {
		return usagef("-%s %d: must be at least %d", name, v, lo)
	}
	return nil
}

// checkSize refuses an input size the network's windows do not fit, or
// one beyond alexnet.MaxSize.
func checkSize(size int) error {
	switch {
	case size < alexnet.MinSize:
		return usagef("-size %d: must be at least %d, the smallest input AlexNet's windows fit", size, alexnet.MinSize)
	case size > alexnet.MaxSize:
		return usagef("-size %d: must be at most %d", size, alexnet.MaxSize)
	}
	return nil
}

// existingFile refuses a path to read that is missing or not a regular
// file: a directory, a device such as /dev/zero, a named pipe (whose open
// would block until something writes to it).
func existingFile(name, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return usagef("-%s: %v", name, err)
	}
	if err := hostfile.CheckRegular(st.Mode()); err != nil {
		return usagef("-%s %s: %v", name, path, err)
	}
	return nil
}

// existingDir refuses a directory path that is missing or a file.
func existingDir(name, path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return usagef("-%s: %v", name, err)
	case !st.IsDir():
		return usagef("-%s %s: not a directory", name, path)
	}
	return nil
}

// writable refuses an output path that could not be written: a directory,
// a missing or read-only directory, something that is not a regular file.
// It creates and removes a temporary file where the real write will, so
// a mistake costs nothing rather than a finished training.
func writable(name, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("-%s %s: is a directory, want a file name", name, path)
	}
	if err := existingDir(name, filepath.Dir(path)); err != nil {
		return err
	}
	if err := atomicfile.CheckWritable(path); err != nil {
		return usagef("-%s: %v", name, err)
	}
	return nil
}

// dataFlag adds the -data flag.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", "", "`directory` holding the Fashion-MNIST files (default: the repository's\n"+
		"data/fashion-mnist, else the user cache, downloading into it)")
}

// loadFlag adds the -load flag of the commands that run a trained model.
func loadFlag(fs *flag.FlagSet) *string {
	return fs.String("load", "alexnet.safetensors", "checkpoint `file` to load (as train -save writes it)")
}

// sizeFlag adds the -size flag of the commands that load a checkpoint.
func sizeFlag(fs *flag.FlagSet) *int {
	return fs.Int("size", 0, "input size of a checkpoint that records none, such as a PyTorch state dict\n(0: the checkpoint's, else 224)")
}

// checkLoadSize refuses a -size a checkpoint's model could not have; 0
// leaves it to the checkpoint.
func checkLoadSize(size int) error {
	if size == 0 {
		return nil
	}
	return checkSize(size)
}
