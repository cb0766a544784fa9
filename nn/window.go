package nn

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// windowOut returns the output size of window w over a [C, H, W] sample,
// panicking, with both named, when the padded input is smaller than the
// kernel, as PyTorch rejects it.
func windowOut(layer string, w tensor.Window, in []int) (oh, ow int) {
	if len(in) != 3 {
		panic(fmt.Sprintf("nn: %s input sample %v, want [C, H, W]", layer, in))
	}
	if oh, ow = w.Out(in[1], in[2]); oh < 1 || ow < 1 {
		panic(fmt.Sprintf("nn: %s window %v does not fit input sample %v", layer, w, in))
	}
	return oh, ow
}
