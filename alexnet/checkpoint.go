package alexnet

import (
	"fmt"
	"strconv"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/tensor"
)

// DefaultSize is the input size Load assumes for a checkpoint that does not
// record one (a state dict PyTorch saved) when the caller gives none: the
// book's 224.
const DefaultSize = 224

// Load builds a model on dev from the checkpoint at path: one this package
// saved, or a state dict of D2L's AlexNet that PyTorch saved with
// safetensors.torch.save_file (names net.0.weight ... net.20.bias, or
// 0.weight ... without the Classifier), which records no sizes.
//
// The channels, hidden width and classes come from the tensors' shapes;
// the input size from the checkpoint's metadata, else from c.Size, else
// DefaultSize. Metadata that disagrees with the tensors is an error, as is
// a size c sets (non-zero InChannels, Size, Classes or Hidden) that
// differs from the checkpoint's. c's Seed, SGD options, Inference and Precision are
// the model's. The weights are not drawn first, and nothing is allocated
// before the checkpoint is known to fit.
func Load(dev tensor.Device, path string, c Config) (*classify.Model, classify.CheckpointInfo, error) {
	ck, err := classify.ReadCheckpoint(path)
	if err != nil {
		return nil, classify.CheckpointInfo{}, err
	}
	m, err := FromCheckpoint(dev, ck, c)
	return m, ck.Info(), err
}

// FromCheckpoint builds a model on dev from a checkpoint already read, as
// Load does.
func FromCheckpoint(dev tensor.Device, ck *classify.Checkpoint, c Config) (*classify.Model, error) {
	path := ck.Name()
	file, err := sizesOf(ck, c.Size)
	if err != nil {
		return nil, err
	}
	for _, s := range []struct {
		name      string
		got, want int
	}{
		{metaChannels, file.InChannels, c.InChannels},
		{metaSize, file.Size, c.Size},
		{metaClasses, file.Classes, c.Classes},
		{metaHidden, file.Hidden, c.Hidden},
	} {
		if s.want != 0 && s.want != s.got {
			return nil, fmt.Errorf("checkpoint %s: %s is %d, want %d", path, s.name, s.got, s.want)
		}
	}
	c.InChannels, c.Size, c.Classes, c.Hidden = file.InChannels, file.Size, file.Classes, file.Hidden
	c = c.withDefaults()
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return classify.FromCheckpoint(dev, Layers(c), ck, c.classify())
}

// sizesOf reads the model's sizes from ck's tensors, and the input size
// from its metadata, else size, else DefaultSize; the metadata's other
// sizes, where present, must agree with the tensors.
func sizesOf(ck *classify.Checkpoint, size int) (Config, error) {
	dim := func(layer, axis, rank int) (int, error) {
		name := strconv.Itoa(layer) + ".weight"
		shape, ok := ck.Shape(ParamPrefix, name)
		if !ok {
			return 0, fmt.Errorf("checkpoint %s: no tensor %q: not a checkpoint of AlexNet", ck.Name(), ParamPrefix+name)
		}
		if len(shape) != rank {
			return 0, fmt.Errorf("checkpoint %s: tensor %q has shape %v, want %d dimensions", ck.Name(), ParamPrefix+name, shape, rank)
		}
		return shape[axis], nil
	}
	var c Config
	var err error
	if c.InChannels, err = dim(0, 1, 4); err != nil {
		return c, err
	}
	if c.Hidden, err = dim(14, 0, 2); err != nil {
		return c, err
	}
	if c.Classes, err = dim(20, 0, 2); err != nil {
		return c, err
	}
	c.Size = size
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	meta := ck.Info().Meta
	for _, s := range []struct {
		key   string
		value *int
		from  string // what gave the value
	}{
		{metaChannels, &c.InChannels, "tensor " + ParamPrefix + "0.weight"},
		{metaClasses, &c.Classes, "tensor " + ParamPrefix + "20.weight"},
		{metaHidden, &c.Hidden, "tensor " + ParamPrefix + "14.weight"},
		{metaSize, &c.Size, ""},
	} {
		v, ok := meta[s.key]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1:
			return c, fmt.Errorf("checkpoint %s: metadata %q is %q, want a positive count", ck.Name(), s.key, v)
		case s.from == "":
			*s.value = n
		case n != *s.value:
			return c, fmt.Errorf("checkpoint %s: metadata %q is %d, but %s says %d", ck.Name(), s.key, n, s.from, *s.value)
		}
	}
	return c, nil
}
