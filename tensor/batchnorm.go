package tensor

import (
	"fmt"
	"math"
)

// BatchNormArgs describes batch normalisation of X [N, C, ...] per
// channel c, over the batch and every axis after C (PyTorch's BatchNorm1d
// on [N, C] or [N, C, L], BatchNorm2d on [N, C, H, W]):
//
//	Y = (X - Mean[c]) * InvStd[c] * Scale[c] + Shift[c]
//
// Every tensor is Float32; those of one channel's values are [C].
type BatchNormArgs struct {
	// X is the input, Y the output (X's shape; Y must not alias X, which
	// the backward pass reads).
	X, Y *Tensor
	// Scale and Shift are the affine parameters (PyTorch's weight, bias).
	Scale, Shift *Tensor
	// Mean and InvStd are the statistics the forward pass normalised
	// with, InvStd = 1/sqrt(var+Eps), written by BatchNorm and read by
	// BatchNormGrad: the batch's in training, the running ones otherwise.
	Mean, InvStd *Tensor
	// RunningMean and RunningVar are the running averages: read in
	// evaluation, updated in training as PyTorch does,
	// r = (1-Momentum)*r + Momentum*batch, the variance unbiased
	// (divided by count-1, count being N times the trailing axes).
	RunningMean, RunningVar *Tensor
	// Train normalises with the batch's statistics (the biased variance)
	// and updates the running ones; otherwise the running ones are used.
	Train bool
	// Eps is added to the variance; Momentum weighs the newest batch in
	// the running averages.
	Eps, Momentum float32

	// DY is the gradient of the loss with respect to Y; BatchNormGrad
	// writes the input's into DX (which may alias DY) and those of Scale
	// and Shift into DScale and DShift, scaled by GradBeta first. In
	// training, the statistics depend on X and contribute to DX;
	// otherwise they are constants.
	DY, DX         *Tensor
	DScale, DShift *Tensor
	// GradBeta scales DScale and DShift before the gradients are added to
	// them: 0 (the default) writes them without reading them, 1 adds.
	GradBeta float32
}

// BatchNorm normalises a.X into a.Y and writes a.Mean and a.InvStd (see
// BatchNormArgs). Training needs at least two values per channel, as
// PyTorch's does.
func BatchNorm(a *BatchNormArgs) {
	dev := sameDevice("BatchNorm", a.X, a.Y, a.Scale, a.Shift, a.Mean, a.InvStd, a.RunningMean, a.RunningVar)
	count := checkBatchNorm("BatchNorm", a.X, a.Y, "Y", []named{
		{"Scale", a.Scale}, {"Shift", a.Shift}, {"Mean", a.Mean}, {"InvStd", a.InvStd},
		{"RunningMean", a.RunningMean}, {"RunningVar", a.RunningVar},
	})
	switch {
	case a.Train && count < 2:
		panic(fmt.Sprintf("tensor: BatchNorm: training needs more than one value per channel, X is %v", a.X.shape))
	case a.Y.st == a.X.st && a.Y.off < a.X.off+a.X.n && a.X.off < a.Y.off+a.Y.n:
		panic(fmt.Sprintf("tensor: BatchNorm: Y %v overlaps X %v", a.Y.shape, a.X.shape))
	case !(a.Momentum >= 0 && a.Momentum <= 1):
		panic(fmt.Sprintf("tensor: BatchNorm: momentum %v outside [0, 1]", a.Momentum))
	case !(a.Eps >= 0) || math.IsInf(float64(a.Eps), 1):
		panic(fmt.Sprintf("tensor: BatchNorm: eps %v", a.Eps))
	}
	dev.BatchNorm(a)
}

// BatchNormGrad writes a.DX, and a.DScale and a.DShift as a.GradBeta says,
// from the gradients of the BatchNorm call that a describes, given a.DY.
func BatchNormGrad(a *BatchNormArgs) {
	dev := sameDevice("BatchNormGrad", a.X, a.DY, a.DX, a.Scale, a.Mean, a.InvStd, a.DScale, a.DShift)
	checkBatchNorm("BatchNormGrad", a.X, a.DY, "DY", []named{
		{"Scale", a.Scale}, {"Mean", a.Mean}, {"InvStd", a.InvStd}, {"DScale", a.DScale}, {"DShift", a.DShift},
	})
	if a.DX == nil {
		panic("tensor: BatchNormGrad: DX is required")
	}
	sameShape("BatchNormGrad", a.DX, a.X)
	wantDType("BatchNormGrad", "DX", a.DX, Float32)
	dev.BatchNormGrad(a)
}

// checkBatchNorm checks x, y (the output or its gradient) and the
// per-channel tensors an operation needs, in order, and returns the
// number of values each channel has.
func checkBatchNorm(op string, x, y *Tensor, yName string, channel []named) int {
	if x == nil || y == nil {
		panic(fmt.Sprintf("tensor: %s: X and %s are required", op, yName))
	}
	if x.Rank() < 2 {
		panic(fmt.Sprintf("tensor: %s: X has shape %v, want [N, C, ...]", op, x.shape))
	}
	wantDType(op, "X", x, Float32)
	wantDType(op, yName, y, Float32)
	sameShape(op, x, y)
	for _, c := range channel {
		if c.t == nil {
			panic(fmt.Sprintf("tensor: %s: %s is required", op, c.name))
		}
		wantShape(op, c.name, c.t, x.shape[1])
		wantDType(op, c.name, c.t, Float32)
	}
	return x.shape[0] * product(x.shape[2:])
}
