package kernels

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/internal/convmap"
	"github.com/tensorforge/tensorforge/tensor"
)

// CXXEnv, set to "required", makes TestGatherOnHost fail rather than skip
// when this machine has no C++ compiler (CI sets it once the CUDA toolkit,
// which brings one, is installed).
const CXXEnv = "KERNELS_HOST_CXX"

// gatherCase is one run of a gather over one tile: kind 0 is GatherMN, 1
// gather_k (see kernels/internal/gathercheck).
type gatherCase struct {
	name                 string
	view                 *convmap.View
	images               int // the tensor holds this many images of the view
	kind, bk             int
	kmajor               bool
	mn0, mnEnd, k0, kEnd int
}

// TestGatherOnHost compiles the CUDA source of the convolution's gathers
// (conv_gather.cuh) as C++ with stand-ins for the GPU's intrinsics and
// with the address and undefined-behaviour sanitizers, runs every thread
// of a block over tiles at the corners and in the middle of each view's
// matrix, and checks each element copied against convmap.View.At: the
// offset it reads, a zero of the padding, or a zero past the matrix's
// edge. A read outside the view's words or the tensor stops it.
func TestGatherOnHost(t *testing.T) {
	cxx, err := exec.LookPath("g++")
	if err != nil {
		if os.Getenv(CXXEnv) == "required" {
			t.Fatalf("%s=required but no g++: %v", CXXEnv, err)
		}
		t.Skipf("no C++ compiler to run the gathers on the host: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "gathercheck")
	build := exec.Command(cxx, "-std=c++17", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
		"-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas",
		"-o", bin, filepath.Join("internal", "gathercheck", "gathercheck.cpp"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", build, err, out)
	}

	cases := gatherCases()
	var in bytes.Buffer
	for _, c := range cases {
		div := 0
		if c.view.Strided() {
			div = 1
		}
		kmajor := 0
		if c.kmajor {
			kmajor = 1
		}
		fmt.Fprintf(&in, "%d %d %d %d %d %d %d %d\n", c.kind, c.bk, kmajor, div, c.mn0, c.mnEnd, c.k0, c.kEnd)
		words := c.view.Words()
		fmt.Fprint(&in, len(words))
		for _, w := range words {
			fmt.Fprint(&in, " ", w)
		}
		fmt.Fprintf(&in, "\n%d\n", c.images*int(c.view.Image))
	}
	run := exec.Command(bin)
	run.Stdin = &in
	var stderr bytes.Buffer
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("gathercheck: %v\n%s", err, stderr.Bytes())
	}
	lines := bufio.NewScanner(bytes.NewReader(out))
	lines.Buffer(nil, 1<<20)
	for _, c := range cases {
		if !lines.Scan() {
			t.Fatalf("gathercheck printed no line for %s", c.name)
		}
		got := strings.Fields(lines.Text())
		if len(got) != convmap.TileMN*c.bk {
			t.Fatalf("%s: %d elements, want %d", c.name, len(got), convmap.TileMN*c.bk)
		}
		for e, s := range got {
			v, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			mn, k := e/c.bk, e%c.bk
			// GatherMN walks columns d along mn, gather_k along k.
			t0, d := c.k0+k, c.mn0+mn
			tIn, dIn := t0 < c.kEnd, d < c.mnEnd
			if c.kind == 1 {
				t0, d = c.mn0+mn, c.k0+k
				tIn, dIn = t0 < c.mnEnd, d < c.kEnd
			}
			want := -1
			if tIn && dIn {
				if off, ok := c.view.At(t0, d); ok {
					want = int(off)
				}
			}
			if v != want {
				t.Fatalf("%s: element (%d, %d), row %d column %d: copied %d, want %d (-1 a zero, -2 never written)",
					c.name, mn, k, t0, d, v, want)
			}
		}
	}
}

// gatherCases covers every view kind and both gathers in the layouts the
// kernels use (GatherMN into k-major tiles; gather_k into k-contiguous
// tiles on the tensor cores, k-major ones in exact FP32), for both k steps,
// over strided, padded and uneven convolutions, at tiles on the edges.
func gatherCases() []gatherCase {
	const images = 3
	var cases []gatherCase
	for _, g := range []struct {
		c, h, w, o int
		win        tensor.Window
	}{
		{3, 7, 9, 5, tensor.Square(3, 1, 1)},
		{2, 19, 19, 4, tensor.Square(11, 4, 1)},
		{4, 9, 13, 3, tensor.Window{KH: 2, KW: 3, SH: 2, SW: 3, PH: 3, PW: 1}},
		{16, 12, 11, 9, tensor.Square(5, 1, 2)},
		{5, 10, 7, 3, tensor.Square(3, 2, 1)},
	} {
		oh, ow := g.win.Out(g.h, g.w)
		geom := fmt.Sprintf("%dx%dx%d->%d %v", g.c, g.h, g.w, g.o, g.win)
		views := []struct {
			name string
			v    *convmap.View
			kind int
		}{
			{"forward", convmap.Forward(g.c, g.h, g.w, g.win), 0},
			{"datagrad", convmap.DataGrad(g.o, g.h, g.w, g.win), 0},
			{"forward-k", convmap.Forward(g.c, g.h, g.w, g.win), 1},
			{"rows-k", convmap.Rows(g.o, oh, ow), 1},
		}
		for _, vw := range views {
			rows, cols := vw.v.Rows(), images*int(vw.v.P)
			for _, bk := range []int{16, 32} {
				for _, kmajor := range []bool{true, false} {
					if vw.kind == 0 && !kmajor {
						continue // GatherMN only fills k-major tiles
					}
					// (mn extent, k extent) of the product's operand.
					mnEnd, kEnd := cols, rows
					if vw.kind == 1 {
						mnEnd, kEnd = rows, cols
					}
					for _, at := range [][2]int{{0, 0}, {lastTile(mnEnd, convmap.TileMN), lastTile(kEnd, bk)}, {0, kEnd / 2}} {
						cases = append(cases, gatherCase{
							name:   fmt.Sprintf("%s %s bk %d kmajor %v tile (%d, %d)", geom, vw.name, bk, kmajor, at[0], at[1]),
							view:   vw.v,
							images: images, kind: vw.kind, bk: bk, kmajor: kmajor,
							mn0: at[0], mnEnd: mnEnd, k0: at[1], kEnd: kEnd,
						})
					}
				}
			}
		}
	}
	return cases
}

// lastTile returns where the last tile of size step starts over n.
func lastTile(n, step int) int { return (n - 1) / step * step }
