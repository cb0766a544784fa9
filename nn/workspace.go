package nn

import "github.com/tensorforge/tensorforge/tensor"

// DefaultWorkspaceBytes bounds the im2col columns a convolution unfolds at
// once on a device without a direct convolution (see
// tensor.HasDirectConv; the CPU and the GPU both have one unless set to
// im2col): a batch is processed in chunks of images whose columns fit. 64
// MiB holds 45 AlexNet conv1 images or 9 conv2 images, enough for GEMMs
// large enough to run at full speed, while unfolding a whole batch of 128
// would take 830 MB for conv2 alone.
const DefaultWorkspaceBytes = 64 << 20

// Workspace is scratch memory shared by the layers of one model: the
// layers run one at a time, in order, so one buffer serves them all. Like
// the model, it is not safe for concurrent use.
type Workspace struct {
	// Bytes is the size each user sizes its chunks to fit; a single image's
	// columns are unfolded whole even when they are larger.
	Bytes int
	buf   *tensor.Tensor
}

// NewWorkspace returns an empty workspace of the given budget in bytes; 0
// means DefaultWorkspaceBytes.
func NewWorkspace(bytes int) *Workspace { return &Workspace{Bytes: bytes} }

// get returns a flat Float32 tensor of at least n elements on dev, growing
// (and so replacing) the buffer when it is smaller. Callers compare the
// returned tensor with the one they got before to know whether views they
// made of it are stale.
func (w *Workspace) get(dev tensor.Device, n int) *tensor.Tensor {
	if w.buf == nil || w.buf.Len() < n || w.buf.Device() != dev {
		if w.buf != nil {
			w.buf.Free()
		}
		w.buf = tensor.Zeros(dev, n)
	}
	return w.buf
}

// resolve turns a budget of 0 into the default.
func (w *Workspace) resolve() {
	if w.Bytes == 0 {
		w.Bytes = DefaultWorkspaceBytes
	}
}

// free returns the buffer's memory to its device.
func (w *Workspace) free() {
	if w.buf != nil {
		w.buf.Free()
		w.buf = nil
	}
}
