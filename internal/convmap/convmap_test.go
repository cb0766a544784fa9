package convmap_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/internal/convmap"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// geometry is one convolution: images [n, c, h, w], o output channels.
type geometry struct {
	n, c, h, w, o int
	win           tensor.Window
}

func (g geometry) String() string {
	return fmt.Sprintf("%dx%dx%dx%d->%d %v", g.n, g.c, g.h, g.w, g.o, g.win)
}

// geometries are odd shapes and windows: strides above 1 (the strided data
// gradient), padding past the kernel, uneven kernels and planes, a kernel
// as large as the padded plane, AlexNet's conv1 and conv2 on small planes,
// valid convolutions (LeNet's conv2; a stride down the rows only).
var geometries = []geometry{
	{2, 3, 7, 9, 5, tensor.Square(3, 1, 1)},
	{3, 2, 11, 6, 4, tensor.Square(5, 1, 2)},
	{2, 3, 19, 19, 4, tensor.Square(11, 4, 1)},
	{1, 4, 9, 13, 3, tensor.Window{KH: 2, KW: 3, SH: 2, SW: 3, PH: 3, PW: 1}},
	{2, 1, 5, 5, 2, tensor.Window{KH: 4, KW: 1, SH: 1, SW: 2, PH: 0, PW: 2}},
	{1, 2, 4, 3, 3, tensor.Window{KH: 6, KW: 5, SH: 1, SW: 1, PH: 1, PW: 1}},
	{3, 5, 8, 8, 2, tensor.Square(1, 1, 0)},
	{2, 2, 10, 7, 3, tensor.Square(3, 2, 1)},
	{2, 6, 14, 14, 16, tensor.Square(5, 1, 0)}, // LeNet's conv2: valid, rows of 10
	{1, 2, 10, 8, 3, tensor.Window{KH: 3, KW: 2, SH: 2, SW: 1, PH: 1, PW: 0}},
}

// TestForwardIsIm2col checks every element of Forward's view, the images
// side by side, against tensor.Im2col's columns, to the bit.
func TestForwardIsIm2col(t *testing.T) {
	cpu := tensor.CPU()
	for i, g := range geometries {
		t.Run(g.String(), func(t *testing.T) {
			shape := []int{g.n, g.c, g.h, g.w}
			x := tensor.RandUniform(cpu, uint64(i), -1, 1, shape...)
			cs := tensor.ConvOut(shape, g.win)
			cols := tensor.Zeros(cpu, cs...)
			tensor.Im2col(cols, x, g.win)
			xs, want := devicetest.Floats(t, x), devicetest.Floats(t, cols)
			v := convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win))
			k, p := cs[1], cs[2]
			if v.Rows() != k || int(v.P) != p {
				t.Fatalf("view of %d rows and %d positions, want %d and %d", v.Rows(), v.P, k, p)
			}
			for r := range k {
				for d := range g.n * p {
					var got float32
					if off, ok := v.At(r, d); ok {
						got = xs[off]
					}
					if w := want[(d/p)*k*p+r*p+d%p]; math.Float32bits(got) != math.Float32bits(w) {
						t.Fatalf("element (%d, %d) = %v, want %v", r, d, got, w)
					}
				}
			}
		})
	}
}

// TestDataGradIsCol2imPairing checks DataGrad's view against the pairs
// Im2col makes: element ((co, kh, kw), (n, ih, iw)) must be dy[n, co, oh,
// ow] exactly when Forward's view reads pixel (ih, iw) of image n at row
// (ci, kh, kw) and column (n, oh, ow), and zero otherwise.
func TestDataGradIsCol2imPairing(t *testing.T) {
	for _, g := range geometries {
		t.Run(g.String(), func(t *testing.T) {
			oh, ow := g.win.Out(g.h, g.w)
			p, kk, hw := oh*ow, g.win.KH*g.win.KW, g.h*g.w
			fwd, dg := convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win)), convmap.DataGrad(g.o, g.h, g.w, convmap.Window(g.win))
			// want[(r, pixel)] for kernel offset r: the dy position
			// that reads that pixel through that offset, from channel 0
			// of the forward view.
			want := map[[2]int]int{}
			for r := range kk {
				for d := range g.n * p {
					if off, ok := fwd.At(r, d); ok {
						want[[2]int{r, int(off)}] = d
					}
				}
			}
			for co := range g.o {
				for r := range kk {
					for d := range g.n * hw {
						off, ok := dg.At(co*kk+r, d)
						pos, paired := want[[2]int{r, d/hw*g.c*hw + d%hw}]
						switch {
						case ok != paired:
							t.Fatalf("row (%d, %d) pixel %d: view says %v, Im2col %v", co, r, d, ok, paired)
						case ok && off != int64(pos/p*g.o*p+co*p+pos%p):
							t.Fatalf("row (%d, %d) pixel %d: offset %d, want dy position %d", co, r, d, off, pos)
						}
					}
				}
			}
		})
	}
}

// TestProducts runs the three products as the kernels do, in float64 from
// the views and OutOffset, and compares them with the CPU's im2col path:
// Im2col, Gemm and BiasAdd forward; Gemm into columns and Col2im for the
// data gradient; the batch-summing Gemm for the weight gradient.
func TestProducts(t *testing.T) {
	cpu := tensor.CPU()
	for i, g := range geometries {
		t.Run(g.String(), func(t *testing.T) {
			s := uint64(10 * i)
			oh, ow := g.win.Out(g.h, g.w)
			p, k, hw := oh*ow, g.c*g.win.KH*g.win.KW, g.h*g.w
			kk := g.win.KH * g.win.KW
			x := tensor.RandUniform(cpu, s, -1, 1, g.n, g.c, g.h, g.w)
			w := tensor.RandUniform(cpu, s+1, -1, 1, g.o, k)
			b := tensor.RandUniform(cpu, s+2, -1, 1, g.o)
			dy := tensor.RandUniform(cpu, s+3, -1, 1, g.n, g.o, oh, ow)
			xs, ws, bs, dys := devicetest.Floats(t, x), devicetest.Floats(t, w), devicetest.Floats(t, b), devicetest.Floats(t, dy)

			// The CPU's im2col path.
			cols := tensor.Zeros(cpu, g.n, k, p)
			tensor.Im2col(cols, x, g.win)
			y := tensor.Zeros(cpu, g.n, g.o, oh, ow)
			tensor.Gemm(&tensor.GemmArgs{M: g.o, N: p, K: k, Alpha: 1, A: w, LDA: k,
				B: cols, LDB: p, StrideB: k * p, C: y, LDC: p, StrideC: g.o * p, Batch: g.n})
			tensor.BiasAdd(y, b)
			dw := tensor.Zeros(cpu, g.o, k)
			tensor.Gemm(&tensor.GemmArgs{TransB: true, M: g.o, N: k, K: p, Alpha: 1,
				A: dy, LDA: p, StrideA: g.o * p, B: cols, LDB: p, StrideB: k * p, C: dw, LDC: k, Batch: g.n})
			dcols := tensor.Zeros(cpu, g.n, k, p)
			tensor.Gemm(&tensor.GemmArgs{TransA: true, M: k, N: p, K: g.o, Alpha: 1, A: w, LDA: k,
				B: dy, LDB: p, StrideB: g.o * p, C: dcols, LDC: p, StrideC: k * p, Batch: g.n})
			dx := tensor.Zeros(cpu, g.n, g.c, g.h, g.w)
			tensor.Col2im(dx, dcols, g.win)

			// The implicit products. The data gradient's weight is w
			// permuted to [c, o*KH*KW], as conv_weight_t writes it.
			gather := func(v *convmap.View, src []float32, t, d int) float64 {
				if off, ok := v.At(t, d); ok {
					return float64(src[off])
				}
				return 0
			}
			fwd, dg := convmap.Forward(g.c, g.h, g.w, convmap.Window(g.win)), convmap.DataGrad(g.o, g.h, g.w, convmap.Window(g.win))
			gotY := make([]float64, g.n*g.o*p)
			for m := range g.o {
				for d := range g.n * p {
					s := float64(bs[m])
					for t := range k {
						s += float64(ws[m*k+t]) * gather(fwd, xs, t, d)
					}
					gotY[convmap.OutOffset(m, d, g.o, p)] = s
				}
			}
			wt := make([]float32, len(ws))
			convmap.PermuteWeight(wt, ws, g.o, g.c, kk)
			gotDX := make([]float64, g.n*g.c*hw)
			for m := range g.c {
				for d := range g.n * hw {
					s := 0.0
					for t := range g.o * kk {
						s += float64(wt[m*g.o*kk+t]) * gather(dg, dys, t, d)
					}
					gotDX[convmap.OutOffset(m, d, g.c, hw)] = s
				}
			}
			gotDW := make([]float64, g.o*k)
			for m := range g.o {
				for j := range k {
					s := 0.0
					for d := range g.n * p {
						s += float64(dys[convmap.OutOffset(m, d, g.o, p)]) * gather(fwd, xs, j, d)
					}
					gotDW[m*k+j] = s
				}
			}
			for _, c := range []struct {
				name string
				got  []float64
				want *tensor.Tensor
			}{{"y", gotY, y}, {"dx", gotDX, dx}, {"dw", gotDW, dw}} {
				want := devicetest.Floats(t, c.want)
				for j, v := range want {
					if math.Abs(c.got[j]-float64(v)) > 1e-5*(1+math.Abs(float64(v))) {
						t.Fatalf("%s[%d] = %v, want %v", c.name, j, c.got[j], v)
					}
				}
			}
		})
	}
}

// TestWords checks the layout the kernels read: the header's fields in
// order, then four words per row.
func TestWords(t *testing.T) {
	v := convmap.DataGrad(3, 9, 13, convmap.Window{KH: 2, KW: 3, SH: 2, SW: 3, PH: 3, PW: 1})
	w := v.Words()
	head := []int32{v.P, v.PW, v.Image, v.SY, v.OY, v.SX, v.OX, v.UH, v.UW, v.LD, v.DY, v.DX, 0, 0, 0, 0}
	if len(w) != convmap.HeaderWords+convmap.EntryWords*v.Rows() {
		t.Fatalf("%d words for %d rows", len(w), v.Rows())
	}
	for i, h := range head {
		if w[i] != h {
			t.Fatalf("header word %d = %d, want %d", i, w[i], h)
		}
	}
	for r, e := range v.Table {
		got := w[convmap.HeaderWords+convmap.EntryWords*r:][:convmap.EntryWords]
		if got[0] != e.Off || got[1] != e.H || got[2] != e.W || got[3] != 0 {
			t.Fatalf("row %d = %v, want %+v", r, got, e)
		}
	}
	if !v.Strided() || convmap.Forward(2, 9, 13, convmap.Window(tensor.Square(3, 2, 1))).Strided() {
		t.Error("only a strided data gradient divides")
	}
}

// TestGather checks View.Gather against At on both views of every
// geometry: whole images, and random runs of rows and positions that
// start and end inside rows of positions and inside the padding; and
// GatherBF16 against Gather of the float32 values its image stands for.
func TestGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range geometries {
		t.Run(g.String(), func(t *testing.T) {
			win := convmap.Window(g.win)
			oh, ow := win.Out(g.h, g.w)
			for _, c := range []struct {
				name  string
				v     *convmap.View
				image int // elements of one image of the view's tensor
			}{{"forward", convmap.Forward(g.c, g.h, g.w, win), g.c * g.h * g.w}, {"datagrad", convmap.DataGrad(g.o, g.h, g.w, win), g.o * oh * ow}} {
				src := make([]float32, g.n*c.image)
				for i := range src {
					src[i] = float32(i + 1) // no element is zero
				}
				// Bfloat16 bits from 1.0 up, none zero, infinite or NaN.
				src16, wide := make([]uint16, len(src)), make([]float32, len(src))
				for i := range src16 {
					src16[i] = uint16(0x3f80 + i%16000)
					wide[i] = bf16.Widen(src16[i])
				}
				rows, p := c.v.Rows(), int(c.v.P)
				// GatherImages: every image side by side, as Gather of
				// each image gives it.
				for _, rs := range [][2]int{{0, rows}, {rows / 2, rows - rows/2}} {
					t0, nr := rs[0], rs[1]
					ld := g.n*p + 3
					got, got16, want, want16 := make([]float32, nr*ld), make([]float32, nr*ld), make([]float32, nr*ld), make([]float32, nr*ld)
					for i := range got {
						got[i] = float32(math.NaN())
					}
					copy(got16, got)
					copy(want, got)
					copy(want16, got)
					c.v.GatherImages(got, ld, src, t0, nr, g.n)
					c.v.GatherImagesBF16(got16, ld, src16, t0, nr, g.n)
					for img := range g.n {
						c.v.Gather(want[img*p:], ld, src[img*c.image:][:c.image], t0, nr, 0, p)
						c.v.GatherBF16(want16[img*p:], ld, src16[img*c.image:][:c.image], t0, nr, 0, p)
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(got16[i]) != math.Float32bits(want16[i]) {
							t.Fatalf("%s rows [%d, +%d): GatherImages wrote %v (BF16 %v) at %d, Gather of each image %v (%v)", c.name, t0, nr, got[i], got16[i], i, want[i], want16[i])
						}
					}
				}
				pieces := [][4]int{{0, rows, 0, p}}
				for range 40 {
					t0, p0 := rng.IntN(rows), rng.IntN(p)
					pieces = append(pieces, [4]int{t0, 1 + rng.IntN(rows-t0), p0, 1 + rng.IntN(p-p0)})
				}
				for _, pc := range pieces {
					t0, nr, p0, n := pc[0], pc[1], pc[2], pc[3]
					ld := n + 3
					for img := range g.n {
						dst := make([]float32, nr*ld)
						for i := range dst {
							dst[i] = float32(math.NaN())
						}
						c.v.Gather(dst, ld, src[img*c.image:][:c.image], t0, nr, p0, n)
						got16, want16 := slices.Clone(dst), slices.Clone(dst)
						c.v.GatherBF16(got16, ld, src16[img*c.image:][:c.image], t0, nr, p0, n)
						c.v.Gather(want16, ld, wide[img*c.image:][:c.image], t0, nr, p0, n)
						for i, w := range want16 {
							if math.Float32bits(got16[i]) != math.Float32bits(w) {
								t.Fatalf("%s image %d rows [%d, +%d) positions [%d, +%d): GatherBF16 wrote %v at %d, Gather of its values %v", c.name, img, t0, nr, p0, n, got16[i], i, w)
							}
						}
						for r := range nr {
							for j := range ld {
								got := dst[r*ld+j]
								if j >= n {
									if got == got {
										t.Fatalf("%s rows [%d, +%d) positions [%d, +%d): wrote %v past the run in row %d", c.name, t0, nr, p0, n, got, r)
									}
									continue
								}
								var want float32
								if off, ok := c.v.At(t0+r, img*p+p0+j); ok {
									want = src[off]
								}
								if got != want {
									t.Fatalf("%s image %d element (%d, %d) = %v, At gives %v", c.name, img, t0+r, p0+j, got, want)
								}
							}
						}
					}
				}
			}
		})
	}
}

// BenchmarkGather gathers every row of a 3x3 convolution's forward view
// of one image, eight rows a call as the CPU's packing asks for them, at
// the map sizes of ResNet-18's four stages at 96x96 (24x24 to 3x3).
func BenchmarkGather(b *testing.B) {
	for _, g := range []struct{ c, side int }{{64, 24}, {128, 12}, {256, 6}, {512, 3}} {
		b.Run(fmt.Sprintf("%dx%dx%d", g.c, g.side, g.side), func(b *testing.B) {
			v := convmap.Forward(g.c, g.side, g.side, convmap.Window(tensor.Square(3, 1, 1)))
			src := make([]float32, g.c*g.side*g.side)
			p := int(v.P)
			dst := make([]float32, 8*p)
			for b.Loop() {
				for t := 0; t < v.Rows(); t += 8 {
					v.Gather(dst, p, src, t, 8, 0, p)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*v.Rows()*p), "ns/element")
		})
		// The images a folded product takes side by side (tensor's
		// foldOf): at least 128 positions.
		images := max(1, (128+g.side*g.side-1)/(g.side*g.side))
		b.Run(fmt.Sprintf("%dx%dx%d/images=%d", g.c, g.side, g.side, images), func(b *testing.B) {
			v := convmap.Forward(g.c, g.side, g.side, convmap.Window(tensor.Square(3, 1, 1)))
			src := make([]float32, images*g.c*g.side*g.side)
			p := images * int(v.P)
			dst := make([]float32, 8*p)
			for b.Loop() {
				for t := 0; t < v.Rows(); t += 8 {
					v.GatherImages(dst, p, src, t, 8, images)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*v.Rows()*p), "ns/element")
		})
	}
}
