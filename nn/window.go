package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// windowOut returns the output size of window w over a [C, H, W] sample,
// panicking, with both named, when the padded input is smaller than the
// kernel: PyTorch rejects that, while the integer division alone would
// round it up to one output.
func windowOut(layer string, w tensor.Window, in []int) (oh, ow int) {
	if len(in) != 3 {
		panic(fmt.Sprintf("nn: %s input sample %v, want [C, H, W]", layer, in))
	}
	if in[1]+2*w.PH < w.KH || in[2]+2*w.PW < w.KW {
		panic(fmt.Sprintf("nn: %s window %v does not fit input sample %v", layer, w, in))
	}
	return w.Out(in[1], in[2])
}
