package kernels

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed *.ptx
var ptxFiles embed.FS

// Module is the PTX that nvcc made of one .cu file.
type Module struct {
	// Name is the file's name without its extension, e.g. "relu".
	Name string
	// PTX is the module's text, ready for the driver's JIT.
	PTX string
	// Kernels lists the entry points the module defines, in file order.
	Kernels []Kernel
}

// Kernel is one entry point of a module.
type Kernel struct {
	Name string
	// Params are the PTX types of its parameters in order (".u64" for a
	// pointer or a long long, ".u32" for an int, ".f32" for a float): a
	// launch must pass one value for each.
	Params []string
}

// Modules returns every embedded module, sorted by name. It is safe for
// concurrent use; each call returns values of its own.
func Modules() ([]Module, error) {
	names, err := fs.Glob(ptxFiles, "*.ptx")
	if err != nil {
		return nil, err
	}
	mods := make([]Module, 0, len(names))
	for _, name := range names {
		text, err := ptxFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m := Module{Name: strings.TrimSuffix(name, ".ptx"), PTX: string(text)}
		m.Kernels = entries(m.PTX)
		if len(m.Kernels) == 0 {
			return nil, fmt.Errorf("kernels: %s defines no kernel", name)
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// entries returns the kernels a PTX text defines: nvcc writes each
// extern "C" __global__ function as a line ".visible .entry name(", then a
// line ".param <type> <name>" for each parameter, then ")".
func entries(ptx string) []Kernel {
	var ks []Kernel
	var in *Kernel // the kernel whose parameters are being read
	for line := range strings.Lines(ptx) {
		if in != nil {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0] == ".param" {
				in.Params = append(in.Params, f[1])
				continue
			}
			in = nil
		}
		rest, ok := strings.CutPrefix(line, ".visible .entry ")
		if !ok {
			continue
		}
		if name, _, ok := strings.Cut(rest, "("); ok {
			ks = append(ks, Kernel{Name: strings.TrimSpace(name)})
			in = &ks[len(ks)-1]
		}
	}
	return ks
}
