//go:build cuda

package cuda

import (
	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/tensor"
)

// softmaxXentReduceThreads is SOFTMAX_XENT_REDUCE_THREADS in
// kernels/softmax_xent.cu.
const softmaxXentReduceThreads = 256

// SoftmaxCrossEntropy computes the loss, the correct count and dlogits on
// the device: a warp per row writes each row's loss and hit to a scratch
// block from the pool, then one block reduces them in a fixed order. The
// scratch goes back to the pool at once; the stream runs in order, so the
// next user of the block comes after the reduction.
func (d *Device) SoftmaxCrossEntropy(loss, correct, dlogits, logits, labels *tensor.Tensor) {
	var dl cu.DevicePtr
	if dlogits != nil {
		dl = d.ptr(dlogits)
	}
	d.do("SoftmaxCrossEntropy", func() {
		n, k := logits.Dim(0), logits.Dim(1)
		checkInt32("rows", n)
		checkInt32("classes", k)
		scratch, class := d.alloc(8 * int64(n))
		defer d.release(scratch, class)
		rowLoss, rowCorrect := scratch, scratch+cu.DevicePtr(4*n)
		const rowsPerBlock = threads / 32
		d.launch("softmax_xent_rows_f32", gridFor(int64(n), rowsPerBlock), dim3{threads, 1, 1}, 0,
			dl, rowLoss, rowCorrect, d.ptr(logits), d.ptr(labels), n, k, 1/float32(n))
		d.launch("softmax_xent_reduce", dim3{1, 1, 1}, dim3{softmaxXentReduceThreads, 1, 1}, 0,
			d.ptr(loss), d.ptr(correct), rowLoss, rowCorrect, n)
	})
}
