package tensor

import "math"

// batchNormArgs carries a BatchNorm or BatchNormGrad call with X viewed as
// [n, c, s], s the product of the axes after C; channels are the units of
// work, so each channel's sums run on one worker in an order fixed by the
// shape, whatever the worker count.
type batchNormArgs struct {
	x, y, dy, dx    []float32
	scale, shift    []float32
	mean, invStd    []float32
	runMean, runVar []float32
	dScale, dShift  []float32
	n, c, s         int
	train           bool
	eps, momentum   float64
	gradBeta        float32
}

func newBatchNormArgs(a *BatchNormArgs) batchNormArgs {
	return batchNormArgs{
		x: f32(a.X), y: f32(a.Y), dy: f32(a.DY), dx: f32(a.DX),
		scale: f32(a.Scale), shift: f32(a.Shift), mean: f32(a.Mean), invStd: f32(a.InvStd),
		runMean: f32(a.RunningMean), runVar: f32(a.RunningVar), dScale: f32(a.DScale), dShift: f32(a.DShift),
		n: a.X.shape[0], c: a.X.shape[1], s: product(a.X.shape[2:]),
		train: a.Train, eps: float64(a.Eps), momentum: float64(a.Momentum), gradBeta: a.GradBeta,
	}
}

// batchNormLoop takes the statistics in float64 and in two passes, the
// mean first and then the mean squared deviation from it, which loses
// nothing to cancellation when the mean is large beside the spread.
// Y is computed from the float32 Mean and InvStd it writes, the values
// BatchNormGrad will read.
var batchNormLoop = newLoop(func(a *batchNormArgs, lo, hi int) {
	count := float64(a.n * a.s)
	stride := a.c * a.s
	for c := lo; c < hi; c++ {
		x, y := a.x[c*a.s:], a.y[c*a.s:]
		if a.train {
			mean := bnSum(x, a.s, stride, a.n) / count
			variance := bnSquaredDev(x, a.s, stride, a.n, mean) / count
			a.mean[c] = float32(mean)
			a.invStd[c] = float32(1 / math.Sqrt(variance+a.eps))
			m := a.momentum
			a.runMean[c] = float32((1-m)*float64(a.runMean[c]) + m*mean)
			a.runVar[c] = float32((1-m)*float64(a.runVar[c]) + m*variance*count/(count-1))
		} else {
			a.mean[c] = a.runMean[c]
			a.invStd[c] = float32(1 / math.Sqrt(float64(a.runVar[c])+a.eps))
		}
		bnNormalize(y, x, a.s, stride, a.n, a.mean[c], float32(float64(a.invStd[c])*float64(a.scale[c])), a.shift[c])
	}
})

func (d *cpuDevice) BatchNorm(a *BatchNormArgs) {
	b := newBatchNormArgs(a)
	batchNormLoop.For(d.workers, b.c, grainFor(b.n*b.s), b)
}

// batchNormGradLoop sums DY and DY*xhat per channel in float64, then
// writes DX, reading each DY element before writing the DX element that
// may alias it.
var batchNormGradLoop = newLoop(func(a *batchNormArgs, lo, hi int) {
	count := float64(a.n * a.s)
	stride := a.c * a.s
	for c := lo; c < hi; c++ {
		x, dy, dx := a.x[c*a.s:], a.dy[c*a.s:], a.dx[c*a.s:]
		mean, inv := float64(a.mean[c]), float64(a.invStd[c])
		sumDY, sumDYX := bnSumsDY(dy, x, a.s, stride, a.n, mean)
		sumDYX *= inv
		a.dShift[c] = withBeta(sumDY, a.gradBeta, a.dShift[c])
		a.dScale[c] = withBeta(sumDYX, a.gradBeta, a.dScale[c])
		k := inv * float64(a.scale[c])
		if !a.train {
			// The statistics are constants: only the direct path.
			k32 := float32(k)
			for i := range a.n {
				dyi, dxi := dy[i*stride:][:a.s], dx[i*stride:][:a.s]
				for j, g := range dyi {
					dxi[j] = k32 * g
				}
			}
			continue
		}
		bnDataGrad(dx, dy, x, a.s, stride, a.n, bnGradConsts{mean, inv, k, sumDY / count, sumDYX / count})
	}
})

func (d *cpuDevice) BatchNormGrad(a *BatchNormArgs) {
	b := newBatchNormArgs(a)
	batchNormGradLoop.For(d.workers, b.c, grainFor(b.n*b.s), b)
}

// The passes of batch normalisation over one channel's values: n spans of
// s elements, stride apart (x[i*stride:][:s], image i's). The sums run in
// bnLanes float64 lanes, element j of a span into lane j%bnLanes, added
// up pairwise at the end: many sums keep the adds in flight where one
// waited on each add's latency, and they are the lanes of the AVX-512
// versions (cpu_batchnorm_amd64.s), which give the same bits. No pass
// fuses a multiply with an add, for the same reason.
var (
	// bnSum returns the sum of the values.
	bnSum = bnSumGo
	// bnSquaredDev returns the sum of (v-mean)^2 over the values.
	bnSquaredDev = bnSquaredDevGo
	// bnSumsDY returns the sums of dy and of dy*(x-mean).
	bnSumsDY = bnSumsDYGo
	// bnNormalize writes y = (x-mean)*k + shift in float32: x-mean first,
	// exact to a rounding however large the mean is beside the spread
	// (x*k + (shift-mean*k) would cancel there), then a multiply and an
	// add.
	bnNormalize = bnNormalizeGo
	// bnDataGrad writes the data gradient of a training batch (see
	// bnGradConsts), in float64: the three terms nearly cancel when a
	// channel has few values, and float32 would keep too few digits.
	bnDataGrad = bnDataGradGo
)

// bnLanes is the number of partial sums of the passes' sums.
const bnLanes = 16

// lanes are the partial sums of a pass.
type lanes [bnLanes]float64

// total adds the lanes pairwise: lane i and i+8, then i and i+4, ...
func (l *lanes) total() float64 {
	for w := bnLanes / 2; w > 0; w /= 2 {
		for i := range w {
			l[i] += l[i+w]
		}
	}
	return l[0]
}

func bnSumGo(x []float32, s, stride, n int) float64 {
	var acc lanes
	for i := range n {
		for j, v := range x[i*stride:][:s] {
			acc[j%bnLanes] += float64(v)
		}
	}
	return acc.total()
}

func bnSquaredDevGo(x []float32, s, stride, n int, mean float64) float64 {
	var acc lanes
	for i := range n {
		for j, v := range x[i*stride:][:s] {
			d := float64(v) - mean
			acc[j%bnLanes] += d * d
		}
	}
	return acc.total()
}

func bnSumsDYGo(dy, x []float32, s, stride, n int, mean float64) (g, gx float64) {
	var sg, sgx lanes
	for i := range n {
		xi, dyi := x[i*stride:][:s], dy[i*stride:][:s]
		for j, v := range xi {
			a := float64(dyi[j])
			sg[j%bnLanes] += a
			sgx[j%bnLanes] += a * (float64(v) - mean)
		}
	}
	return sg.total(), sgx.total()
}

func bnNormalizeGo(y, x []float32, s, stride, n int, mean, k, shift float32) {
	for i := range n {
		yi := y[i*stride:][:s]
		for j, v := range x[i*stride:][:s] {
			yi[j] = (v-mean)*k + shift
		}
	}
}

// bnGradConsts are a channel's constants of its data gradient: dx =
// k*(dy - meanDY - xhat*meanDYX), xhat = (x-mean)*inv.
type bnGradConsts struct{ mean, inv, k, meanDY, meanDYX float64 }

func bnDataGradGo(dx, dy, x []float32, s, stride, n int, c bnGradConsts) {
	for i := range n {
		xi, dyi, dxi := x[i*stride:][:s], dy[i*stride:][:s], dx[i*stride:][:s]
		for j, v := range xi {
			xhat := (float64(v) - c.mean) * c.inv
			dxi[j] = float32(c.k * (float64(dyi[j]) - c.meanDY - xhat*c.meanDYX))
		}
	}
}
