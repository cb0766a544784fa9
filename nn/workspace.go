package nn

import "github.com/tensorforge/tensorforge/tensor"

// DefaultWorkspaceBytes bounds the im2col columns a convolution unfolds at
// once: a batch is processed in chunks of images whose columns fit. 64 MiB
// holds 45 AlexNet conv1 images or 9 conv2 images, enough for GEMMs large
// enough to run at full speed, while unfolding a whole batch of 128 would
// take 830 MB for conv2 alone.
const DefaultWorkspaceBytes = 64 << 20

// AcceleratorWorkspaceBytes is the budget on any other device. A GPU needs
// most of a batch in one GEMM to keep its multiprocessors busy (a conv2
// chunk of 9 images is barely one wave of tiles on an H100), and 512 MiB
// unfolds 77 conv2 images at 224x224 while training at batch 128 stays
// under 2 GB.
const AcceleratorWorkspaceBytes = 512 << 20

// WorkspaceBytesFor returns the budget a model on dev gets unless told
// otherwise: DefaultWorkspaceBytes on the CPU, AcceleratorWorkspaceBytes
// elsewhere.
func WorkspaceBytesFor(dev tensor.Device) int {
	if dev.Name() == "cpu" {
		return DefaultWorkspaceBytes
	}
	return AcceleratorWorkspaceBytes
}

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
// lets the first user choose WorkspaceBytesFor its device.
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

// resolve turns a budget of 0 into the device's default.
func (w *Workspace) resolve(dev tensor.Device) {
	if w.Bytes == 0 {
		w.Bytes = WorkspaceBytesFor(dev)
	}
}

// free returns the buffer's memory to its device.
func (w *Workspace) free() {
	if w.buf != nil {
		w.buf.Free()
		w.buf = nil
	}
}
