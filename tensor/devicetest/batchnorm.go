package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorforge/tensorforge/tensor"
)

// batchNormShapes are [N, C] (BatchNorm1d after a Linear layer), [N, C, L]
// and [N, C, H, W] activations: one value per channel (evaluation only),
// two (training's least), size-1 axes, and a channel of thousands of
// values.
var batchNormShapes = [][]int{{1, 3}, {2, 3}, {7, 1}, {16, 5}, {3, 4, 5}, {1, 2, 3, 1}, {2, 3, 5, 7}, {32, 3, 13, 11}}

// batchNormOptions are an everyday eps and momentum, and large ones whose
// effect shows.
var batchNormOptions = []struct{ eps, momentum float32 }{{1e-5, 0.1}, {0.5, 0.7}}

// channelInputs returns activations of shape s whose channels each have
// their own mean (in [-40, 40]) and spread (in [0.5, 2]): normalising must
// remove both, without losing digits to a mean many spreads away from 0.
func (c *checker) channelInputs(s []int) []float32 {
	ch := s[1]
	mean, spread := c.uniform(ch, -40, 40), c.uniform(ch, 0.5, 2)
	x := c.uniform(elems(s), -1, 1)
	for i := range x {
		k := channelOf(s, i)
		x[i] = mean[k] + spread[k]*x[i]
	}
	return x
}

// ChannelStats returns each channel's mean and biased variance of x, of
// shape s [N, C, ...], in float64, the variance as the mean squared
// deviation: the statistics batch normalisation trains with. Layers'
// tests call it on float64 inputs, as they do MaxPoolReference.
func ChannelStats[T float32 | float64](x []T, s []int) (mean, variance []float64) {
	ch := s[1]
	count := float64(len(x) / ch)
	mean, variance = make([]float64, ch), make([]float64, ch)
	for i, v := range x {
		mean[channelOf(s, i)] += float64(v) / count
	}
	for i, v := range x {
		d := float64(v) - mean[channelOf(s, i)]
		variance[channelOf(s, i)] += d * d / count
	}
	return mean, variance
}

func testBatchNorm(c *checker) {
	for _, shape := range batchNormShapes {
		for _, o := range batchNormOptions {
			for _, train := range []bool{true, false} {
				ch := shape[1]
				count := elems(shape) / ch
				if train && count < 2 {
					continue
				}
				c.run(fmt.Sprintf("%v_eps%v_momentum%v_train:%v", shape, o.eps, o.momentum, train), func(c *checker) {
					x := c.channelInputs(shape)
					scale, shift := c.uniform(ch, 0.5, 2), c.uniform(ch, -1, 1)
					rm0, rv0 := c.uniform(ch, -1, 1), c.uniform(ch, 0.5, 2)
					y, mean, invStd := c.out("Y", shape...), c.out("Mean", ch), c.out("InvStd", ch)
					a := tensor.BatchNormArgs{X: c.in("X", x, shape...), Y: y.t,
						Scale: c.in("Scale", scale, ch), Shift: c.in("Shift", shift, ch),
						Mean: mean.t, InvStd: invStd.t, Train: train, Eps: o.eps, Momentum: o.momentum}
					var rm, rv *buffer
					if train {
						rm, rv = c.inout("RunningMean", rm0, ch), c.inout("RunningVar", rv0, ch)
						a.RunningMean, a.RunningVar = rm.t, rv.t
					} else {
						// Inputs: evaluation must leave them as they are.
						a.RunningMean, a.RunningVar = c.in("RunningMean", rm0, ch), c.in("RunningVar", rv0, ch)
					}
					tensor.BatchNorm(&a)

					wantMean, variance := ChannelStats(x, shape)
					wantInv := make([]float64, ch)
					wantRM, wantRV := make([]float64, ch), make([]float64, ch)
					m, eps := float64(o.momentum), float64(o.eps)
					for k := range ch {
						if train {
							wantRM[k] = (1-m)*float64(rm0[k]) + m*wantMean[k]
							wantRV[k] = (1-m)*float64(rv0[k]) + m*variance[k]*float64(count)/float64(count-1)
						} else {
							wantMean[k], variance[k] = float64(rm0[k]), float64(rv0[k])
						}
						wantInv[k] = 1 / math.Sqrt(variance[k]+eps)
					}
					// Y is normalised with the statistics as Mean and InvStd
					// hold them, rounded to float32 (a mean of 40 moves by
					// 2e-6 in rounding, a part in 1e5 of a spread of 0.3).
					wantY := make([]float64, len(x))
					for i, v := range x {
						k := channelOf(shape, i)
						m32, inv32 := float64(float32(wantMean[k])), float64(float32(wantInv[k]))
						wantY[i] = (float64(v)-m32)*inv32*float64(scale[k]) + float64(shift[k])
					}
					c.near("Y", c.floats(y), wantY, c.tol.Other)
					c.near("Mean", c.floats(mean), wantMean, c.tol.Other)
					c.near("InvStd", c.floats(invStd), wantInv, c.tol.Other)
					if train {
						c.near("RunningMean", c.floats(rm), wantRM, c.tol.Other)
						c.near("RunningVar", c.floats(rv), wantRV, c.tol.Other)
					}
				})
			}
		}
	}
}

// testBatchNormGrad takes Mean and InvStd as a training forward pass
// would leave them (the batch's), or as running statistics in evaluation.
// Training needs three values per channel here: with two, the gradient
// through the statistics cancels DY all but for eps, leaving a result
// too small for a relative error to mean anything.
func testBatchNormGrad(c *checker) {
	run := 0
	for _, shape := range batchNormShapes {
		for _, train := range []bool{true, false} {
			for _, alias := range []bool{false, true} {
				ch := shape[1]
				count := elems(shape) / ch
				if train && count < 3 {
					continue
				}
				beta := gradBetas[run%len(gradBetas)]
				run++
				c.run(fmt.Sprintf("%v_train:%v_dx=dy:%v_beta%v", shape, train, alias, beta), func(c *checker) {
					x := c.channelInputs(shape)
					scale, dy := c.uniform(ch, 0.5, 2), c.uniform(len(x), -1, 1)
					ds0, wantDScale := c.gradStart(ch, beta)
					dsh0, wantDShift := c.gradStart(ch, beta)
					const eps = 1e-5
					mean, invStd := make([]float32, ch), make([]float32, ch)
					if train {
						m, v := ChannelStats(x, shape)
						for k := range ch {
							mean[k], invStd[k] = float32(m[k]), float32(1/math.Sqrt(v[k]+eps))
						}
					} else {
						mean = c.uniform(ch, -1, 1)
						for k, v := range c.uniform(ch, 0.5, 2) {
							invStd[k] = float32(1 / math.Sqrt(float64(v)+eps))
						}
					}
					dyb, dx := c.inPlace(alias, "DY", "DX", dy, shape...)
					dScale, dShift := c.inout("DScale", ds0, ch), c.inout("DShift", dsh0, ch)
					tensor.BatchNormGrad(&tensor.BatchNormArgs{X: c.in("X", x, shape...),
						Scale: c.in("Scale", scale, ch), Mean: c.in("Mean", mean, ch), InvStd: c.in("InvStd", invStd, ch),
						Train: train, Eps: eps, DY: dyb.t, DX: dx.t, DScale: dScale.t, DShift: dShift.t, GradBeta: beta})

					xhat := make([]float64, len(x))
					sumDY, sumDYX := make([]float64, ch), make([]float64, ch)
					for i, v := range x {
						k := channelOf(shape, i)
						xhat[i] = (float64(v) - float64(mean[k])) * float64(invStd[k])
						sumDY[k] += float64(dy[i])
						sumDYX[k] += float64(dy[i]) * xhat[i]
					}
					wantDX := make([]float64, len(x))
					for i, g := range dy {
						k := channelOf(shape, i)
						d := float64(g)
						if train {
							d -= (sumDY[k] + xhat[i]*sumDYX[k]) / float64(count)
						}
						wantDX[i] = float64(invStd[k]) * float64(scale[k]) * d
					}
					for k := range ch {
						wantDScale[k] += sumDYX[k]
						wantDShift[k] += sumDY[k]
					}
					c.near("DX", c.floats(dx), wantDX, c.tol.Other)
					c.near("DScale", c.floats(dScale), wantDScale, c.tol.Other)
					c.near("DShift", c.floats(dShift), wantDShift, c.tol.Other)
				})
			}
		}
	}
}
