// Command ptxgen compiles every CUDA C file (*.cu) of the current directory
// to PTX with nvcc, writing name.ptx beside name.cu. It is run by
// `go generate` in the kernels package; the PTX it writes is committed, so
// building the project needs no CUDA toolkit.
//
// The output depends only on the sources and the nvcc release, not on
// where the checkout lies: files are compiled in sorted order with fixed
// flags, and nvcc's PTX names no paths or dates. The committed PTX comes from nvcc 11.8 (PTX ISA 7.8), which the
// GPU driver JIT-compiles for the card it loads on.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// nvccFlags target compute capability 8.0 (Ampere), the oldest with the
// TF32 tensor-core instructions the GEMM uses; newer cards JIT it.
var nvccFlags = []string{"-ptx", "-arch=compute_80"}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ptxgen:", err)
		os.Exit(1)
	}
}

func run() error {
	sources, err := filepath.Glob("*.cu")
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return fmt.Errorf("no .cu files in the current directory")
	}
	slices.Sort(sources)
	for _, src := range sources {
		dst := strings.TrimSuffix(src, ".cu") + ".ptx"
		// nvcc names anonymous namespaces after a hash of the source's
		// absolute path; giving the bare file name instead keeps the PTX
		// the same in every checkout.
		args := append(slices.Clone(nvccFlags), "-Xcicc", "--orig_src_path_name", "-Xcicc", src, "-o", dst, src)
		cmd := exec.Command("nvcc", args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("nvcc %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
		}
		// Warnings are shown but do not stop the build.
		os.Stderr.Write(out.Bytes())
	}
	return nil
}
