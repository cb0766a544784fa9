package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/internal/convmap"
	"github.com/tensorforge/tensorforge/internal/hostrun"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// TestConvOnHost compiles the convolution's CUDA source (conv.cu, with
// gemm.cu for its reduction) and max-pooling's as C++ under sanitizers
// (hostrun.Build), through kernels/internal/hostcheck, which stands in for
// the GPU, and runs it on the CPU:
//   - the gathers, for every thread of a block, over tiles at the corners
//     and in the middle of every view kind, each element copied checked
//     against convmap.View.At (the offset it reads, a zero of the padding,
//     a zero past the matrix's edge);
//   - the three products in each of the maths (exact FP32, and TF32 and
//     BF16 through an emulation of the tensor-core instructions) over
//     whole grids, against the CPU's im2col path;
//   - max-pooling and its gradient, to the bit against the CPU's;
//   - the GEMM's kernels in every math and transpose, which have passed on
//     GPUs, against the CPU's GEMM: a check of the emulation itself.
//
// A read outside an array stops it.
func TestConvOnHost(t *testing.T) {
	bin := hostrun.Build(t)
	t.Run("gathers", func(t *testing.T) { checkGathers(t, bin) })
	t.Run("products", func(t *testing.T) { checkProducts(t, bin) })
	t.Run("maxpool", func(t *testing.T) { checkMaxPool(t, bin) })
	t.Run("gemm", func(t *testing.T) { checkGemm(t, bin) })
}

// checkGathers runs gatherCases through hostcheck's gather command and
// checks each tile: every element copied from where convmap.View.At says,
// by exactly one thread, and neighbouring columns d copied by neighbouring
// lanes (what makes a warp's reads of a stride-1 view contiguous): along
// MN for GatherMN, where each run of 32 columns is one warp's, along k for
// gather_k, where each k step is one row of threads.
func checkGathers(t *testing.T, bin string) {
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
		fmt.Fprintf(&in, "gather %d %d %d %d %d %d %d %d\n", c.kind, c.bk, kmajor, div, c.mn0, c.mnEnd, c.k0, c.kEnd)
		hostrun.WriteArray(&in, c.view.Words())
		fmt.Fprintf(&in, "%d\n", c.images*int(c.view.Image))
	}
	lines := hostrun.Run(t, bin, &in)
	if len(lines) != 2*len(cases) {
		t.Fatalf("%d lines for %d cases", len(lines), len(cases))
	}
	ints := func(name, line string) []int {
		var v []int
		for _, f := range strings.Fields(line) {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			v = append(v, n)
		}
		return v
	}
	for i, c := range cases {
		got, owner := ints(c.name, lines[2*i]), ints(c.name, lines[2*i+1])
		if len(got) != kTileRows*c.bk || len(owner) != len(got) {
			t.Fatalf("%s: %d elements and %d owners, want %d", c.name, len(got), len(owner), kTileRows*c.bk)
		}
		for e, v := range got {
			mn, k := e/c.bk, e%c.bk
			switch o := owner[e]; {
			case o < 0:
				t.Fatalf("%s: element (%d, %d) copied by %s", c.name, mn, k, map[int]string{-1: "no thread", -2: "two threads"}[o])
			case c.kind == 0 && mn%32 != 31 && owner[e+c.bk] != o+1:
				t.Fatalf("%s: columns %d and %d of step %d copied by threads %d and %d", c.name, mn, mn+1, k, o, owner[e+c.bk])
			case c.kind == 1 && k+1 < c.bk && owner[e+1] != o+1:
				t.Fatalf("%s: steps %d and %d of row %d copied by threads %d and %d", c.name, k, k+1, mn, o, owner[e+1])
			}
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

// gatherCase is one run of a gather over one tile: kind 0 is GatherMN, 1
// gather_k.
type gatherCase struct {
	name                 string
	view                 *convmap.View
	images               int // the tensor holds this many images of the view
	kind, bk             int
	kmajor               bool
	mn0, mnEnd, k0, kEnd int
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
		{6, 5, 7, 4, tensor.Square(1, 1, 0)},
	} {
		geom := fmt.Sprintf("%dx%dx%d->%d %v", g.c, g.h, g.w, g.o, g.win)
		views := []struct {
			name string
			v    *convmap.View
			kind int
		}{
			{"forward", convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win)), 0},
			{"datagrad", convmap.DataGrad(g.o, g.h, g.w, convmap.Window(g.win)), 0},
			{"forward-k", convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win)), 1},
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
					for _, at := range [][2]int{{0, 0}, {lastTile(mnEnd, kTileRows), lastTile(kEnd, bk)}, {0, kEnd / 2}} {
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

// productCase is one convolution run through the kernels on the host:
// images [n, c, h, w] and o output channels.
type productCase struct {
	n, c, h, w, o int
	win           tensor.Window
}

// kTileRows is the rows of C one block of the kernels computes.
const kTileRows = 128

// hostMaths are the kernels' three arithmetics with their k step, the
// precision of the CPU's products they are compared with, and the relative
// difference allowed: TF32 rounds the operands to 10 bits where the CPU
// keeps 23; BF16 rounds them as the CPU's BF16 products do, so only the
// order of the sums differs.
var hostMaths = []struct {
	name string
	bk   int
	prec tensor.Precision
	tol  float64
}{{"f32", 16, tensor.FP32, 1e-5}, {"tf32", 32, tensor.FP32, 5e-3}, {"bf16", 32, tensor.BF16, 1e-4}}

// checkProducts runs each convolution's forward pass (without the bias,
// with it, and with it and the fused ReLU), data gradient (through the
// mask of a ReLU before the convolution) and weight gradient (in one slice
// and in several, summed by gemm_reduce, onto a nonzero dw) through the
// host-compiled kernels of every math, with the launch parameters
// cuda/directconv.go uses, and compares them with the CPU's im2col path;
// and conv_weight_t with convmap.PermuteWeight.
func checkProducts(t *testing.T, bin string) {
	for i, g := range []productCase{
		{2, 3, 7, 9, 5, tensor.Square(3, 1, 1)},
		{2, 3, 19, 19, 130, tensor.Square(11, 4, 1)},
		{1, 4, 9, 13, 3, tensor.Window{KH: 2, KW: 3, SH: 2, SW: 3, PH: 3, PW: 1}},
		{2, 5, 10, 7, 140, tensor.Square(3, 2, 1)},
		{3, 9, 12, 11, 6, tensor.Square(5, 1, 2)},
		{2, 20, 6, 6, 70, tensor.Square(3, 1, 1)},
		{2, 12, 7, 7, 70, tensor.Square(3, 2, 1)},
		{2, 40, 6, 7, 20, tensor.Square(1, 1, 0)}, // NiN's 1x1 convolutions
	} {
		for _, m := range hostMaths {
			// The emulated tensor cores are slow (a thread switch per
			// warp-wide instruction): they skip the products of more
			// than one tile row, which exercise the grid's order, the
			// same in every math, and take the cases of 70 channels,
			// whose products fill both warp rows of a tile.
			if m.name != "f32" && g.o > kTileRows {
				continue
			}
			t.Run(fmt.Sprintf("%dx%dx%dx%d->%d %v %s", g.n, g.c, g.h, g.w, g.o, g.win, m.name), func(t *testing.T) {
				checkProduct(t, bin, g, uint64(100*i), m.name, m.bk, m.prec, m.tol)
			})
		}
	}
}

// checkProduct runs one convolution in one math (see checkProducts).
func checkProduct(t *testing.T, bin string, g productCase, s uint64, arith string, bk int, prec tensor.Precision, tol float64) {
	cpu := tensor.CPU()
	oh, ow := g.win.Out(g.h, g.w)
	p, kk := oh*ow, g.win.KH*g.win.KW
	k := g.c * kk
	x := tensor.RandUniform(cpu, s, -1, 1, g.n, g.c, g.h, g.w)
	w := tensor.RandUniform(cpu, s+1, -1, 1, g.o, k)
	b := tensor.RandUniform(cpu, s+2, -1, 1, g.o)
	dy := tensor.RandUniform(cpu, s+3, -1, 1, g.n, g.o, oh, ow)
	dw0 := tensor.RandUniform(cpu, s+4, -1, 1, g.o, k)
	xs, ws, bs, dys, dw0s := devicetest.Floats(t, x), devicetest.Floats(t, w), devicetest.Floats(t, b), devicetest.Floats(t, dy), devicetest.Floats(t, dw0)

	// The CPU's im2col path, its products in prec.
	cols := tensor.Zeros(cpu, g.n, k, p)
	tensor.Im2col(cols, x, g.win)
	y := tensor.Zeros(cpu, g.n, g.o, oh, ow)
	tensor.Gemm(&tensor.GemmArgs{M: g.o, N: p, K: k, Alpha: 1, A: w, LDA: k,
		B: cols, LDB: p, StrideB: k * p, C: y, LDC: p, StrideC: g.o * p, Batch: g.n, Precision: prec})
	yb := tensor.Zeros(cpu, y.Shape()...)
	tensor.Copy(yb, y)
	tensor.BiasAdd(yb, b)
	yr := tensor.Zeros(cpu, y.Shape()...)
	tensor.ReLU(yr, yb)
	dcols := tensor.Zeros(cpu, g.n, k, p)
	tensor.Gemm(&tensor.GemmArgs{TransA: true, M: k, N: p, K: g.o, Alpha: 1, A: w, LDA: k,
		B: dy, LDB: p, StrideB: g.o * p, C: dcols, LDC: p, StrideC: k * p, Batch: g.n, Precision: prec})
	dx := tensor.Zeros(cpu, g.n, g.c, g.h, g.w)
	tensor.Col2im(dx, dcols, g.win)
	tensor.ReLUGrad(dx, dx, tensor.FromSlice(cpu, relu(xs), x.Shape()...))
	// The weight gradient added into dw0 (beta 1), and written (beta 0).
	dw, dwFresh := tensor.Zeros(cpu, g.o, k), tensor.Zeros(cpu, g.o, k)
	tensor.Copy(dw, dw0)
	for _, c := range []struct {
		dw   *tensor.Tensor
		beta float32
	}{{dw, 1}, {dwFresh, 0}} {
		tensor.Gemm(&tensor.GemmArgs{TransB: true, M: g.o, N: k, K: p, Alpha: 1, Beta: c.beta,
			A: dy, LDA: p, StrideA: g.o * p, B: cols, LDB: p, StrideB: k * p, C: c.dw, LDC: k, Batch: g.n, Precision: prec})
	}

	nan := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.NaN())
		}
		return v
	}
	fwd, dg := convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win)), convmap.DataGrad(g.o, g.h, g.w, convmap.Window(g.win))
	wt := make([]float32, len(ws))
	convmap.PermuteWeight(wt, ws, g.o, g.c, kk)
	var in bytes.Buffer
	for _, pass := range []struct {
		bias []float32
		relu bool
	}{{nil, false}, {bs, false}, {bs, true}} {
		dataCmd{math: arith, relu: pass.relu, m: g.o, n: g.n * p, k: k, a: ws, x: xs, view: fwd, bias: pass.bias,
			c: nan(g.n * g.o * p)}.write(&in)
	}
	fmt.Fprintf(&in, "permute %d %d %d\n", g.o, g.c, kk)
	hostrun.WriteArray(&in, ws)
	// The mask is that of a ReLU before the convolution.
	dataCmd{math: arith, m: g.c, n: g.n * g.h * g.w, k: g.o * kk, a: wt, x: dys, view: dg, mask: relu(xs),
		c: nan(len(xs))}.write(&in)
	steps := (g.n*p + bk - 1) / bk
	for _, r := range []struct {
		slices int
		beta   float32
	}{{1, 1}, {3, 1}, {3, 0}} {
		chunk := (steps + r.slices - 1) / r.slices
		c := dw0s
		if r.beta == 0 {
			c = nan(len(dw0s))
		}
		weightCmd{math: arith, m: g.o, n: k, k: g.n * p, p: p, slices: (steps + chunk - 1) / chunk, chunk: chunk,
			beta: r.beta, dy: dys, x: xs, view: fwd, c: c}.write(&in)
	}
	lines := hostrun.Run(t, bin, &in)
	want := []struct {
		name string
		t    *tensor.Tensor
	}{{"forward", y}, {"forward with bias", yb}, {"forward with bias and ReLU", yr}, {"conv_weight_t", nil},
		{"data gradient through a ReLU's mask", dx},
		{"weight gradient, one slice", dw}, {"weight gradient, three slices", dw},
		{"weight gradient written (beta 0), three slices", dwFresh}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	for j, w := range want {
		got := hostrun.Floats(t, lines[j])
		if w.t == nil {
			if !slices.Equal(got, wt) {
				t.Errorf("%s differs from convmap.PermuteWeight", w.name)
			}
			continue
		}
		if e := devicetest.RelErr(got, devicetest.Floats(t, w.t)); !(e <= tol) {
			t.Errorf("%s: relative difference %.3g from the CPU's, more than %g", w.name, e, tol)
		}
	}
}

// checkMaxPool runs maxpool_f32 and maxpool_grad_f32 on windows that
// overlap, skip pixels, pad, on inputs full of ties and on sparse peaks
// that win up to 25 windows each (whose gradients' sums show the order of
// the additions), and requires the CPU's outputs to the bit, with the
// activations stored in float32 and in bfloat16.
func checkMaxPool(t *testing.T, bin string) {
	cpu := tensor.CPU()
	for i, c := range []struct {
		shape []int
		win   tensor.Window
		peaks bool
	}{
		{[]int{2, 3, 13, 13}, tensor.Square(3, 2, 0), false},
		{[]int{1, 2, 9, 8}, tensor.Square(5, 1, 2), false},
		{[]int{2, 2, 11, 12}, tensor.Square(5, 1, 2), true},
		{[]int{2, 2, 7, 11}, tensor.Window{KH: 2, KW: 3, SH: 3, SW: 1, PH: 1, PW: 1}, false},
	} {
		t.Run(fmt.Sprint(c.shape, c.win), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 9))
			xs := make([]float32, c.shape[0]*c.shape[1]*c.shape[2]*c.shape[3])
			for j := range xs {
				xs[j] = float32(r.IntN(3)) // ties everywhere
				if c.peaks {
					xs[j] = float32(r.IntN(40) / 39)
				}
			}
			x := tensor.FromSlice(cpu, xs, c.shape...)
			out := tensor.PoolOut(c.shape, c.win)
			y, arg := tensor.Zeros(cpu, out...), tensor.New(cpu, tensor.Int32, out...)
			tensor.MaxPool(y, arg, x, c.win)
			dy := tensor.RandUniform(cpu, uint64(i), -1, 1, out...)
			dx := tensor.Zeros(cpu, c.shape...)
			// The inputs, a third or more zeros, as the mask of a ReLU
			// before the pool, in every other case.
			var mask []float32
			var maskT *tensor.Tensor
			if i%2 == 1 {
				mask, maskT = xs, x
			}
			tensor.MaxPoolGrad(dx, dy, arg, c.win, maskT)

			// Each run twice: in float32, and with x, y and the mask
			// stored in bfloat16, which holds every value here.
			var in bytes.Buffer
			w := c.win
			for _, h := range []int{0, 1} {
				fmt.Fprintf(&in, "maxpool %d %d %d %d %d %d %d %d %d %d %d %d\n", h, h, h, c.shape[0]*c.shape[1], c.shape[2], c.shape[3],
					w.KH, w.KW, w.SH, w.SW, w.PH, w.PW)
				hostrun.WriteArray(&in, xs)
				hostrun.WriteArray(&in, devicetest.Floats(t, dy))
				hostrun.WriteArray(&in, mask)
			}
			lines := hostrun.Run(t, bin, &in)
			if len(lines) != 6 {
				t.Fatalf("%d lines, want 6", len(lines))
			}
			if !slices.Equal(lines[3:], lines[:3]) {
				t.Error("stored in bfloat16, y, argmax or dx differs from float32's")
			}
			args, err := arg.Int32s()
			if err != nil {
				t.Fatal(err)
			}
			var gotArg []int32
			for _, f := range strings.Fields(lines[1]) {
				v, err := strconv.Atoi(f)
				if err != nil {
					t.Fatal(err)
				}
				gotArg = append(gotArg, int32(v))
			}
			if !slices.Equal(hostrun.Floats(t, lines[0]), devicetest.Floats(t, y)) {
				t.Error("y differs from the CPU's")
			}
			if !slices.Equal(gotArg, args) {
				t.Error("argmax differs from the CPU's")
			}
			if !slices.Equal(hostrun.Floats(t, lines[2]), devicetest.Floats(t, dx)) {
				t.Error("dx differs from the CPU's")
			}
		})
	}
}

// relu returns max(v, 0) elementwise.
func relu(v []float32) []float32 {
	r := make([]float32, len(v))
	for i, e := range v {
		r[i] = max(e, 0)
	}
	return r
}

// checkGemm runs the GEMM kernels of every math and transpose on products
// that fill both warp rows of a tile and part of a second tile, or both
// warp columns and part of a second, with k steps left over, and compares
// them with the CPU's products.
func checkGemm(t *testing.T, bin string) {
	cpu := tensor.CPU()
	for _, sh := range [][3]int{{70, 50, 45}, {130, 9, 33}, {20, 130, 40}} {
		m, n, k := sh[0], sh[1], sh[2]
		a := tensor.RandUniform(cpu, 1, -1, 1, m*k)
		b := tensor.RandUniform(cpu, 2, -1, 1, k*n)
		as, bs := devicetest.Floats(t, a), devicetest.Floats(t, b)
		for _, hm := range hostMaths {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				name := fmt.Sprintf("%dx%dx%d %s tA:%v tB:%v", m, n, k, hm.name, tr[0], tr[1])
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				c := tensor.Zeros(cpu, m, n)
				tensor.Gemm(&tensor.GemmArgs{TransA: tr[0], TransB: tr[1], M: m, N: n, K: k, Alpha: 1,
					A: a, B: b, C: c, LDA: lda, LDB: ldb, LDC: n, Precision: hm.prec})
				var in bytes.Buffer
				letter := map[bool]string{false: "n", true: "t"}
				fmt.Fprintf(&in, "gemm %s %s %s %d %d %d\n", hm.name, letter[tr[0]], letter[tr[1]], m, n, k)
				hostrun.WriteArray(&in, as)
				hostrun.WriteArray(&in, bs)
				hostrun.WriteArray(&in, make([]float32, m*n))
				lines := hostrun.Run(t, bin, &in)
				if len(lines) != 1 {
					t.Fatalf("%s: %d lines", name, len(lines))
				}
				if e := devicetest.RelErr(hostrun.Floats(t, lines[0]), devicetest.Floats(t, c)); !(e <= hm.tol) {
					t.Errorf("%s: relative difference %.3g from the CPU's, more than %g", name, e, hm.tol)
				}
			}
		}
	}
}

// dataCmd is hostcheck's data command: conv_data over view of x (see
// hostcheck.cpp), strided when the view divides.
type dataCmd struct {
	math           string
	relu, y16, m16 bool
	m, n, k        int
	a, x           []float32
	view           *convmap.View
	bias, mask, c  []float32
}

func (d dataCmd) write(in *bytes.Buffer) {
	fmt.Fprintf(in, "data %s %d %d %d %d %d %d %d\n", d.math, flag(d.view.Strided()), flag(d.relu), flag(d.y16),
		flag(d.m16), d.m, d.n, d.k)
	hostrun.WriteArray(in, d.a)
	hostrun.WriteArray(in, d.x)
	hostrun.WriteArray(in, d.view.Words())
	hostrun.WriteArray(in, d.bias)
	hostrun.WriteArray(in, d.mask)
	hostrun.WriteArray(in, d.c)
}

// weightCmd is hostcheck's weight command: conv_weight over dy and view of
// x, in slices of chunk k steps, onto c scaled by beta.
type weightCmd struct {
	math          string
	m, n, k, p    int
	slices, chunk int
	beta          float32
	dy, x         []float32
	view          *convmap.View
	c             []float32
}

func (w weightCmd) write(in *bytes.Buffer) {
	fmt.Fprintf(in, "weight %s %d %d %d %d %d %d %g\n", w.math, w.m, w.n, w.k, w.p, w.slices, w.chunk, w.beta)
	hostrun.WriteArray(in, w.dy)
	hostrun.WriteArray(in, w.x)
	hostrun.WriteArray(in, w.view.Words())
	hostrun.WriteArray(in, w.c)
}
