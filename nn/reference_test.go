package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

// The tests check every layer against a float64 re-implementation of its
// forward pass, written as plainly as possible (direct loops, no im2col),
// and check every backward against central differences of that reference.

// refForward applies layer l, as set up, to the batch x of shape xs with
// float64 arithmetic; params are the layer's parameters in ParamSpecs
// order. It returns the output and its shape.
func refForward(l Layer, x []float64, xs []int, params [][]float64, p Pass) ([]float64, []int) {
	switch l := l.(type) {
	case *Conv2d:
		return refConv(x, xs, params[0], params[1], l.Out, l.Window)
	case *Linear:
		n, in := xs[0], xs[1]
		y := make([]float64, n*l.Out)
		for i := range n {
			for o := range l.Out {
				s := params[1][o]
				for k := range in {
					s += x[i*in+k] * params[0][o*in+k]
				}
				y[i*l.Out+o] = s
			}
		}
		return y, []int{n, l.Out}
	case *ReLU:
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = math.Max(v, 0)
		}
		return y, xs
	case *MaxPool2d:
		y, _ := devicetest.MaxPoolReference(x, [4]int{xs[0], xs[1], xs[2], xs[3]}, l.Window)
		oh, ow := l.Window.Out(xs[2], xs[3])
		return y, []int{xs[0], xs[1], oh, ow}
	case *Dropout:
		y := make([]float64, len(x))
		for i, v := range x {
			if !p.Train {
				y[i] = v
			} else if tensor.DropoutKeep(p.Seed, uint64(i), l.P) {
				y[i] = v / (1 - float64(l.P))
			}
		}
		return y, xs
	case *Flatten:
		return append([]float64(nil), x...), []int{xs[0], len(x) / xs[0]}
	case *Sigmoid:
		return mapRef(x, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }), xs
	case *Tanh:
		return mapRef(x, math.Tanh), xs
	case *AvgPool2d:
		oh, ow := l.Window.Out(xs[2], xs[3])
		return devicetest.AvgPoolReference(x, [4]int{xs[0], xs[1], xs[2], xs[3]}, l.Window), []int{xs[0], xs[1], oh, ow}
	case *BatchNorm:
		return refBatchNorm(x, xs, params, p.Train, float64(l.Eps)), xs
	case *Residual:
		var outs [2][]float64
		var shape []int
		for b, layers := range l.layers {
			outs[b], shape, params = refLayers(layers, x, xs, params, Pass{Train: p.Train, Seed: MixSeed(p.Seed, uint64(b))})
		}
		y := make([]float64, len(outs[0]))
		for i := range y {
			y[i] = outs[0][i] + outs[1][i]
		}
		return y, shape
	case *Concat:
		// Image by image, each branch's channels in turn.
		outs := make([][]float64, len(l.layers))
		shape := slices.Clone(xs)
		shape[1] = 0
		for b, layers := range l.layers {
			var s []int
			outs[b], s, params = refLayers(layers, x, xs, params, Pass{Train: p.Train, Seed: MixSeed(p.Seed, uint64(b))})
			shape[1] += s[1]
			shape = append(shape[:2], s[2:]...)
		}
		var y []float64
		for i := range xs[0] {
			for _, o := range outs {
				per := len(o) / xs[0]
				y = append(y, o[i*per:(i+1)*per]...)
			}
		}
		return y, shape
	}
	panic(fmt.Sprintf("no reference for %T", l))
}

// refLayers applies layers in order, as a Sequential or a Residual's
// branch runs them, layer i with seed MixSeed(p.Seed, i). params are the
// trained parameters of the parametric ones in order (state is left out:
// training reads none); it returns the output, its shape and the
// parameters left over.
func refLayers(layers []Layer, x []float64, xs []int, params [][]float64, p Pass) ([]float64, []int, [][]float64) {
	for i, l := range layers {
		n := 0
		if pl, ok := l.(Parametric); ok {
			for _, spec := range pl.ParamSpecs() {
				if !spec.State {
					n++
				}
			}
		}
		x, xs = refForward(l, x, xs, params[:n], Pass{Train: p.Train, Seed: MixSeed(p.Seed, uint64(i))})
		params = params[n:]
	}
	return x, xs, params
}

func refConv(x []float64, xs []int, w, b []float64, out int, win tensor.Window) ([]float64, []int) {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	oh, ow := win.Out(h, wd)
	y := make([]float64, n*out*oh*ow)
	for i := range n {
		for o := range out {
			for r := range oh {
				for q := range ow {
					s := b[o]
					for ch := range c {
						for kh := range win.KH {
							for kw := range win.KW {
								ih, iw := r*win.SH-win.PH+kh, q*win.SW-win.PW+kw
								if ih < 0 || ih >= h || iw < 0 || iw >= wd {
									continue
								}
								s += x[((i*c+ch)*h+ih)*wd+iw] * w[((o*c+ch)*win.KH+kh)*win.KW+kw]
							}
						}
					}
					y[((i*out+o)*oh+r)*ow+q] = s
				}
			}
		}
	}
	return y, []int{n, out, oh, ow}
}

// mapRef applies f to every element.
func mapRef(x []float64, f func(float64) float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = f(v)
	}
	return y
}

// refBatchNorm normalises x [N, C, ...] per channel with the batch's
// mean and biased variance in training, else with the running ones
// (params: weight, bias, running_mean, running_var).
func refBatchNorm(x []float64, xs []int, params [][]float64, train bool, eps float64) []float64 {
	var mean, variance []float64
	if train {
		mean, variance = devicetest.ChannelStats(x, xs)
	} else {
		mean, variance = params[2], params[3]
	}
	c := xs[1]
	s := len(x) / (xs[0] * c)
	y := make([]float64, len(x))
	for i, v := range x {
		ch := i / s % c
		y[i] = (v-mean[ch])/math.Sqrt(variance[ch]+eps)*params[0][ch] + params[1][ch]
	}
	return y
}

// refCrossEntropy is the mean softmax cross-entropy of logits [n, k].
func refCrossEntropy(logits []float64, labels []int32, k int) float64 {
	var total float64
	for i, label := range labels {
		row := logits[i*k : (i+1)*k]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		var z float64
		for _, v := range row {
			z += math.Exp(v - m)
		}
		total += math.Log(z) + m - row[label]
	}
	return total / float64(len(labels))
}

// centralDiff returns d f / d v[i] for every i by central differences,
// restoring v afterwards.
func centralDiff(v []float64, f func() float64) []float64 {
	const h = 1e-6
	g := make([]float64, len(v))
	for i := range v {
		old := v[i]
		v[i] = old + h
		up := f()
		v[i] = old - h
		down := f()
		v[i] = old
		g[i] = (up - down) / (2 * h)
	}
	return g
}

// dot returns the sum of a[i]*b[i].
func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// to64 widens a float32 slice.
func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// closeTo reports the first index where got and want differ by more than
// tol relative to max(1, |want|), or -1.
func closeTo(got []float32, want []float64, tol float64) int {
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tol*math.Max(1, math.Abs(want[i])) || math.IsNaN(float64(got[i])) {
			return i
		}
	}
	return -1
}
