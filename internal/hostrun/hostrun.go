// Package hostrun builds and drives kernels/internal/hostcheck, the CUDA
// kernels compiled as C++ with stand-ins for the GPU, for the tests of the
// kernels and cuda packages: they write commands to it and compare what it
// prints with the CPU device's results.
package hostrun

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// CXXEnv, set to "required", makes Build fail rather than skip the test
// when this machine has no C++ compiler (CI sets it once the CUDA toolkit,
// which brings one, is installed).
const CXXEnv = "KERNELS_HOST_CXX"

// SanitizeEnv, set to "thread", builds hostcheck with the thread sanitizer
// instead of the address and undefined-behaviour ones. A block's threads
// are threads there, and __syncthreads a barrier, so a missing barrier
// (shared memory written by one thread and read by another with none
// between) is reported as a data race whatever the schedule, where with
// the default sanitizers it passes unless the threads happen to interleave
// badly. The two cannot be combined in one binary.
const SanitizeEnv = "KERNELS_HOST_SANITIZE"

// Build compiles hostcheck with the sanitizers SanitizeEnv chooses and
// returns the binary's path. It skips t when there is no g++, unless
// CXXEnv says one is required. A compile takes about 20 seconds, and the
// kernels and cuda packages' tests each want the binary, so it is kept in
// the user's cache directory under a hash of its sources and flags: a
// later Build of the same sources, in this process or another, reuses it.
// A new build removes the binaries of earlier sources built with the same
// sanitizers, so the directory holds one for each.
func Build(t testing.TB) string {
	t.Helper()
	cxx, err := exec.LookPath("g++")
	if err != nil {
		if os.Getenv(CXXEnv) == "required" {
			t.Fatalf("%s=required but no g++: %v", CXXEnv, err)
		}
		t.Skipf("no C++ compiler to run the kernels on the host: %v", err)
	}
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("hostrun: cannot find its own source")
	}
	kernels := filepath.Join(filepath.Dir(self), "..", "..", "kernels")
	src := filepath.Join(kernels, "internal", "hostcheck", "hostcheck.cpp")
	kind, sanitize := "asan", "-fsanitize=address,undefined"
	switch v := os.Getenv(SanitizeEnv); v {
	case "":
	case "thread":
		kind, sanitize = "tsan", "-fsanitize=thread"
	default:
		t.Fatalf("%s=%q: want thread, or unset for address and undefined", SanitizeEnv, v)
	}
	args := []string{"-std=c++20", "-O1", "-g", sanitize, "-fno-sanitize-recover=all",
		"-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas", "-pthread"}
	bin, err := cachedPath(cxx, args, src, kernels, kind)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	// Built beside its final name and renamed there, so that a test
	// process building the same binary at the same time never runs a
	// half-written one.
	tmp, err := os.CreateTemp(filepath.Dir(bin), "build-*")
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	build := exec.Command(cxx, append(args, "-o", tmp.Name(), src)...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", build, err, out)
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(bin), kind+".*"))
	for _, f := range old {
		if f != bin {
			os.Remove(f)
		}
	}
	return bin
}

// cachedPath returns where the hostcheck binary of these compiler, flags
// and sources is kept: <kind>.<the SHA-256 of all of them> (the sources
// being hostcheck.cpp and the kernels' .cu and .cuh files, which it
// includes), in a directory of the user's cache (or the temporary
// directory) that it creates.
func cachedPath(cxx string, args []string, src, kernels, kind string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, cxx, args)
	files, err := filepath.Glob(filepath.Join(kernels, "*.cu*"))
	if err != nil {
		return "", err
	}
	for _, f := range append(files, src) {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, filepath.Base(f), len(b))
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir() // no home directory: the binary lives as long as /tmp's files
	}
	dir := filepath.Join(cache, "tensorforge-hostcheck")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, fmt.Sprintf("%s.%x", kind, h.Sum(nil))), nil
}

// Run feeds in to the hostcheck binary bin and returns its output lines.
func Run(t testing.TB, bin string, in *bytes.Buffer) []string {
	t.Helper()
	run := exec.Command(bin)
	run.Stdin = in
	var stderr bytes.Buffer
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("hostcheck: %v\n%s", err, stderr.Bytes())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// WriteArray writes a hostcheck array: its length, then its elements, each
// float32 exactly.
func WriteArray[T int32 | uint32 | float32](w *bytes.Buffer, v []T) {
	fmt.Fprint(w, len(v))
	for _, e := range v {
		switch e := any(e).(type) {
		case float32:
			w.WriteString(" " + strconv.FormatFloat(float64(e), 'g', -1, 32))
		default:
			fmt.Fprint(w, " ", e)
		}
	}
	w.WriteByte('\n')
}

// Floats parses a line of numbers as float32s.
func Floats(t testing.TB, line string) []float32 {
	t.Helper()
	var v []float32
	for _, f := range strings.Fields(line) {
		x, err := strconv.ParseFloat(f, 32)
		if err != nil {
			t.Fatal(err)
		}
		v = append(v, float32(x))
	}
	return v
}
