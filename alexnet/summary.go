package alexnet

import (
	"io"

	"github.com/tensorforge/tensorforge/nn"
)

// Summary returns the layers' rows for one input sample of c: output
// shapes, parameter counts and FLOPs. It works from shapes alone and
// allocates no tensors.
func Summary(c Config) ([]nn.Row, error) {
	c = c.withDefaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	net := Layers(c)
	net.Setup(c.Input())
	return net.Summary(), nil
}

// WriteSummary prints the summary of c as a table with its totals.
func WriteSummary(w io.Writer, c Config) error {
	rows, err := Summary(c)
	if err != nil {
		return err
	}
	return nn.WriteSummary(w, rows)
}
