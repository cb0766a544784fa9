//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// maxPool3x3s2AVX512 is maxPool3x3 with stride 2 for 16 outputs at a time:
// blocks full blocks of 16, then, if storeMask is not 0, one more whose
// loads take only the lanes set in the four 16-bit masks of loadMasks (the
// first two for columns 0-31 of the block, the others for 1-32) and whose
// stores take the lanes of storeMask. x is the first window's top-left
// pixel, at index i0 of its plane.
//
//go:noescape
func maxPool3x3s2AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMasks, storeMask uint64)

// maxPool3x3s1AVX512 is maxPool3x3s2AVX512 for stride 1 (GoogLeNet's
// pools beside its convolutions): its tail's three loads a row all take
// the lanes of loadMask.
//
//go:noescape
func maxPool3x3s1AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMask, storeMask uint64)

// maxPool2x2s2AVX512 is maxPool3x3s2AVX512 for 2x2 windows; loadMasks has
// two masks, for columns 0-15 and 16-31 of the tail's block.
//
//go:noescape
func maxPool2x2s2AVX512(x *float32, w int, y *float32, arg *int32, blocks, i0 int, loadMasks, storeMask uint64)

func init() {
	if cpu.X86.HasAVX512F {
		maxPoolRow = maxPoolRowAVX512
		maxPool2Row = maxPool2RowAVX512
	}
}

// laneMask returns a mask of the lowest c of 16 lanes, for c of any sign.
func laneMask(c int) uint64 { return 1<<min(16, max(0, c)) - 1 }

// maxPool2RowAVX512 runs stride-2 rows of 2x2 windows in AVX-512, sixteen
// windows per step, and leaves other strides to maxPool2x2.
func maxPool2RowAVX512(x, y []float32, arg []int32, i0, w, stride int) {
	n := len(y)
	if stride != 2 || n == 0 {
		maxPool2x2(x, y, arg, i0, w, stride)
		return
	}
	// The last window's bottom-right pixel, and the last output: no block
	// reads or writes past them.
	_, _ = x[i0+w+2*n-1], arg[n-1]
	var load, store uint64
	if t := n % 16; t > 0 {
		// A tail of t windows reads columns 0 to 2t-1.
		load = laneMask(2*t) | laneMask(2*t-16)<<16
		store = laneMask(t)
	}
	maxPool2x2s2AVX512(&x[i0], w, &y[0], &arg[0], n/16, i0, load, store)
}

// maxPoolRowAVX512 runs rows of stride 1 and 2 in AVX-512, sixteen
// windows per step, and leaves other strides to maxPool3x3.
func maxPoolRowAVX512(x, y []float32, arg []int32, i0, w, stride int) {
	n := len(y)
	if stride == 1 && n > 0 {
		_, _ = x[i0+2*w+n+1], arg[n-1]
		t := laneMask(n % 16)
		maxPool3x3s1AVX512(&x[i0], w, &y[0], &arg[0], n/16, i0, t, t)
		return
	}
	if stride != 2 || n == 0 {
		maxPool3x3(x, y, arg, i0, w, stride)
		return
	}
	// The last window's bottom-right pixel, and the last output: no block
	// reads or writes past them.
	_, _ = x[i0+2*w+2*n], arg[n-1]
	var load, store uint64
	if t := n % 16; t > 0 {
		// A tail of t windows reads columns 0 to 2t: 2t-1 of them starting
		// at column 0 and 2t starting at column 1.
		load = laneMask(2*t-1) | laneMask(2*t-1-16)<<16 | laneMask(2*t)<<32 | laneMask(2*t-16)<<48
		store = laneMask(t)
	}
	maxPool3x3s2AVX512(&x[i0], w, &y[0], &arg[0], n/16, i0, load, store)
}
