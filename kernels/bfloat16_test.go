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

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/internal/convmap"
	"github.com/tensorforge/tensorforge/internal/hostrun"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestBF16StorageOnHost runs, through kernels/internal/hostcheck, the
// kernels that read or write activations stored in bfloat16 beside the
// same kernels on float32 and requires the same bits: an image read in
// bfloat16 must give the product of its widened values (the tiles and the
// maths do not change), a y written in bfloat16 must be the float32 y
// rounded as bf16.Round rounds, and a mask read in bfloat16 must zero
// what the float32 one zeroes. Max-pooling's runs are in TestConvOnHost.
func TestBF16StorageOnHost(t *testing.T) {
	bin := hostrun.Build(t)
	t.Run("rounding", func(t *testing.T) { checkRounding(t, bin) })
	for i, g := range []productCase{
		{2, 3, 7, 9, 5, tensor.Square(3, 1, 1)},
		{2, 3, 19, 19, 5, tensor.Square(11, 4, 1)},
		{2, 5, 10, 7, 9, tensor.Square(3, 2, 1)},
		{2, 20, 6, 6, 70, tensor.Square(3, 1, 1)},
	} {
		for _, m := range hostMaths {
			// The epilogue's bfloat16 y and mask are the same code in
			// every math: the emulated TF32 tensor cores, slow, take
			// the first case only.
			if m.name == "tf32" && i > 0 {
				continue
			}
			t.Run(fmt.Sprintf("%dx%dx%dx%d->%d %v %s", g.n, g.c, g.h, g.w, g.o, g.win, m.name), func(t *testing.T) {
				checkStorage(t, bin, g, uint64(7+100*i), m.name, m.bk)
			})
		}
	}
}

// checkRounding requires round_bf16, which stores every bfloat16
// activation on the GPU, to give bf16.Round's bits on special values (the
// zeros, denormals, ties either way, the largest finite value, the
// infinities, quiet and signalling NaNs) and on random ones, and
// widen_bf16 bf16.Widen's.
func checkRounding(t *testing.T, bin string) {
	bits := []uint32{0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x3f808000, 0x3f818000, 0x3f808001, 0xbf818000,
		0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7f800001, 0xffc00001, 0x7fffffff}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		bits = append(bits, r.Uint32())
	}
	var in bytes.Buffer
	in.WriteString("bf16\n")
	hostrun.WriteArray(&in, bits)
	lines := hostrun.Run(t, bin, &in)
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	got, widened := strings.Fields(lines[0]), strings.Fields(lines[1])
	if len(got) != len(bits) || len(widened) != len(bits) {
		t.Fatalf("%d and %d values, want %d", len(got), len(widened), len(bits))
	}
	for i, b := range bits {
		v, err := strconv.ParseUint(got[i], 10, 16)
		if err != nil {
			t.Fatal(err)
		}
		w, err := strconv.ParseUint(widened[i], 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		want := bf16.Round(math.Float32frombits(b))
		if uint16(v) != want {
			t.Errorf("round_bf16 of %#08x: %#04x, bf16.Round %#04x", b, v, want)
		}
		if wb := math.Float32bits(bf16.Widen(want)); uint32(w) != wb {
			t.Errorf("widen_bf16 of %#04x: %#08x, bf16.Widen %#08x", want, w, wb)
		}
	}
}

// checkStorage runs one convolution's kernels in one math with each
// activation in bfloat16 beside the same run in float32 (see
// TestBF16StorageOnHost): the forward pass (bias and ReLU fused) into a
// bfloat16 y, and in the BF16 math over a bfloat16 x; the data gradient
// through a bfloat16 mask; and in the BF16 math the weight gradient over a
// bfloat16 x. The images hold bfloat16 values, as stored ones do.
func checkStorage(t *testing.T, bin string, g productCase, s uint64, arith string, bk int) {
	cpu := tensor.CPU()
	oh, ow := g.win.Out(g.h, g.w)
	p, kk := oh*ow, g.win.KH*g.win.KW
	k := g.c * kk
	floats := func(seed uint64, n int) []float32 {
		v, err := tensor.RandUniform(cpu, seed, -1, 1, n).Float32s()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	xs := roundedAll(floats(s, g.n*g.c*g.h*g.w))
	ws, bs, dys := floats(s+1, g.o*k), floats(s+2, g.o), floats(s+3, g.n*g.o*p)
	wt := make([]float32, len(ws))
	convmap.PermuteWeight(wt, ws, g.o, g.c, kk)
	fwd, dg := convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win)), convmap.DataGrad(g.o, g.h, g.w, convmap.Window(g.win))
	x16 := arith == "bf16"

	var in bytes.Buffer
	// Lines 0-1: forward in float32, and into a bfloat16 y; 2-3, in BF16
	// only: the same over a bfloat16 x.
	forward := func(x16, y16 bool) {
		dataCmd{math: arith, relu: true, x16: x16, y16: y16, m: g.o, n: g.n * p, k: k, a: ws, x: xs, view: fwd,
			bias: bs, c: make([]float32, g.n*g.o*p)}.write(&in)
	}
	forward(false, false)
	forward(false, true)
	if x16 {
		forward(true, false)
		forward(true, true)
	}
	// The data gradient through the mask of a ReLU before the
	// convolution, in float32 and in bfloat16.
	for _, m16 := range []bool{false, true} {
		dataCmd{math: arith, m16: m16, m: g.c, n: g.n * g.h * g.w, k: g.o * kk, a: wt, x: dys, view: dg,
			mask: relu(xs), c: make([]float32, len(xs))}.write(&in)
	}
	if x16 {
		for _, h := range []bool{false, true} {
			weightCmd{math: arith, x16: h, m: g.o, n: k, k: g.n * p, p: p, slices: 1, chunk: (g.n*p + bk - 1) / bk,
				dy: dys, x: xs, view: fwd, c: make([]float32, g.o*k)}.write(&in)
		}
	}
	lines := hostrun.Run(t, bin, &in)
	want := 4
	if x16 {
		want = 8
	}
	if len(lines) != want {
		t.Fatalf("%d lines, want %d", len(lines), want)
	}
	y := hostrun.Floats(t, lines[0])
	sameLine := func(what string, got, want string) {
		if got != want {
			t.Errorf("%s differs from float32's", what)
		}
	}
	rounded := func(what string, line string) {
		if !slices.Equal(hostrun.Floats(t, line), roundedAll(y)) {
			t.Errorf("%s is not float32's y rounded", what)
		}
	}
	rounded("forward into a bfloat16 y", lines[1])
	next := 2
	if x16 {
		sameLine("forward over a bfloat16 x", lines[2], lines[0])
		rounded("forward over a bfloat16 x into a bfloat16 y", lines[3])
		next = 4
	}
	sameLine("data gradient through a bfloat16 mask", lines[next+1], lines[next])
	if x16 {
		sameLine("weight gradient over a bfloat16 x", lines[next+3], lines[next+2])
	}
}

// roundedAll returns each value rounded to bfloat16, widened back.
func roundedAll(v []float32) []float32 {
	h := make([]uint16, len(v))
	bf16.RoundSlice(h, v)
	r := make([]float32, len(v))
	bf16.WidenSlice(r, h)
	return r
}

// flag is a hostcheck command's switch: 1 for true.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
