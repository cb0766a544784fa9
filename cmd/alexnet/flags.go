package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/tensorforge/tensorforge/alexnet"
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

// checkSize refuses an input size the network's windows do not fit.
func checkSize(size int) error {
	if size < alexnet.MinSize {
		return usagef("-size %d: must be at least %d, the smallest input AlexNet's windows fit", size, alexnet.MinSize)
	}
	return nil
}

// existingFile refuses a path to read that is missing or a directory.
func existingFile(name, path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return usagef("-%s: %v", name, err)
	case st.IsDir():
		return usagef("-%s %s: is a directory, want a file", name, path)
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

// writable refuses an output path whose directory does not exist, or that
// names a directory.
func writable(name, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("-%s %s: is a directory, want a file name", name, path)
	}
	return existingDir(name, filepath.Dir(path))
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
