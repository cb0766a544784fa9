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
// same kernels on float32 and requires the same bits: a y written in
// bfloat16 must be the float32 y rounded as bf16.Round rounds, and a mask
// read in bfloat16 must zero what the float32 one zeroes; and the rounding
// and widening themselves. (Images stored in bfloat16 are widened by
// widen_bf16 before a product reads them; max-pooling's runs are in
// TestConvOnHost.)
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
				checkStorage(t, bin, g, uint64(7+100*i), m.name)
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
// bfloat16 y, and the data gradient through a bfloat16 mask. The images
// hold bfloat16 values, as stored ones do.
func checkStorage(t *testing.T, bin string, g productCase, s uint64, arith string) {
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

	var in bytes.Buffer
	// Lines 0-1: forward in float32, and into a bfloat16 y.
	for _, y16 := range []bool{false, true} {
		dataCmd{math: arith, relu: true, y16: y16, m: g.o, n: g.n * p, k: k, a: ws, x: xs, view: fwd, bias: bs,
			c: make([]float32, g.n*g.o*p)}.write(&in)
	}
	// Lines 2-3: the data gradient through the mask of a ReLU before the
	// convolution, in float32 and in bfloat16.
	for _, m16 := range []bool{false, true} {
		dataCmd{math: arith, m16: m16, m: g.c, n: g.n * g.h * g.w, k: g.o * kk, a: wt, x: dys, view: dg,
			mask: relu(xs), c: make([]float32, len(xs))}.write(&in)
	}
	lines := hostrun.Run(t, bin, &in)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	if !slices.Equal(hostrun.Floats(t, lines[1]), roundedAll(hostrun.Floats(t, lines[0]))) {
		t.Error("forward into a bfloat16 y is not float32's y rounded")
	}
	if lines[3] != lines[2] {
		t.Error("data gradient through a bfloat16 mask differs from float32's")
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
