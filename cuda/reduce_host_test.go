//go:build cuda

package cuda

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/internal/hostrun"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestReduceOnHost runs kernels/reduce.cu without a GPU (internal/hostrun
// compiles it as C++ with stand-ins for the GPU), pass after pass with the
// layouts planReduce gives, as Reduce launches them, and compares the sums
// and maxima with the CPU device's: a long axis split over many blocks and
// two passes, lanes along a wide inner axis, rows of blocks, size-1 axes,
// and a NaN that the maximum must keep.
func TestReduceOnHost(t *testing.T) {
	bin := hostrun.Build(t)
	cpu := tensor.CPU()
	for i, s := range [][3]int{{1, 100_000, 1}, {3, 5000, 7}, {2, 9, 300}, {50, 1, 3}, {4, 700, 33}, {1, 1, 1}, {37, 64, 2}} {
		outer, n, inner := s[0], s[1], s[2]
		r := rand.New(rand.NewPCG(uint64(i), 5))
		xs := make([]float32, outer*n*inner)
		for j := range xs {
			xs[j] = r.Float32()*2 - 1
		}
		for op, name := range map[tensor.ReduceOp]string{tensor.OpSum: "sum", tensor.OpMax: "max"} {
			t.Run(fmt.Sprintf("%s %dx%dx%d", name, outer, n, inner), func(t *testing.T) {
				src := slices.Clone(xs)
				if i == 4 && op == tensor.OpMax {
					src[len(src)/2] = float32(math.NaN())
				}
				want := tensor.Zeros(cpu, outer*inner)
				cpu.Reduce(op, want, tensor.FromSlice(cpu, src, len(src)), outer, n, inner)
				o, m, k := int64(outer), int64(n), int64(inner)
				for {
					p := planReduce(o, m, k)
					var in bytes.Buffer
					fmt.Fprintf(&in, "reduce %s %d %d %d %d %d %d %d %d %d\n", name, o, m, k, p.chunk, p.splits, p.w, p.r, p.q,
						min(p.blocks, maxBlocks))
					hostrun.WriteArray(&in, src)
					lines := hostrun.Run(t, bin, &in)
					if len(lines) != 1 {
						t.Fatalf("%d lines", len(lines))
					}
					src = hostrun.Floats(t, lines[0])
					if p.splits == 1 {
						break
					}
					m = p.splits
				}
				w := read(t, want)
				if op == tensor.OpMax {
					if !slices.EqualFunc(src, w, func(a, b float32) bool { return a == b || a != a && b != b }) {
						t.Errorf("maxima differ from the CPU's: %s", firstDiff(src, w))
					}
					return
				}
				if e := relErr(src, w); !(e <= 1e-6) {
					t.Errorf("sums: relative error %.3g from the CPU's", e)
				}
			})
		}
	}
}
