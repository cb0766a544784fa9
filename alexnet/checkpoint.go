package alexnet

import (
	"fmt"
	"strconv"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// A checkpoint is a safetensors file holding the parameters under
// PyTorch's names (net.0.weight ... net.20.bias, so that
// safetensors.torch.load_file gives a state dict D2L's AlexNet loads) and,
// when the optimizer uses momentum, each parameter's velocity under its
// name with MomentumSuffix. Its metadata records the sizes the model was
// built for and how far training got.

// MomentumSuffix is appended to a parameter's name to name its velocity,
// after the "momentum_buffer" key of torch.optim.SGD's state.
const MomentumSuffix = ".momentum_buffer"

// The metadata keys of a checkpoint; every value is a decimal integer.
const (
	metaEpoch    = "epoch"    // finished epochs
	metaStep     = "step"     // training steps taken (seeds dropout)
	metaChannels = "channels" // Config.InChannels
	metaSize     = "size"     // Config.Size
	metaClasses  = "classes"  // Config.Classes
	metaHidden   = "hidden"   // Config.Hidden
)

// CheckpointInfo is what a checkpoint's metadata records.
type CheckpointInfo struct {
	// Config holds the sizes the model was built for: InChannels, Size,
	// Classes and Hidden.
	Config Config
	// Epoch is the number of epochs the model was trained for.
	Epoch int
	// Step is the number of training steps it took.
	Step uint64
}

// SaveCheckpoint writes the parameters, the optimizer's velocity (when it
// has one) and the metadata to path, after epochs finished epochs. The
// file is replaced atomically: a failure leaves the old one intact.
func (m *Model) SaveCheckpoint(path string, epochs int) error {
	f := &safetensors.File{
		Metadata: map[string]string{
			metaEpoch:    strconv.Itoa(epochs),
			metaStep:     strconv.FormatUint(m.step, 10),
			metaChannels: strconv.Itoa(m.cfg.InChannels),
			metaSize:     strconv.Itoa(m.cfg.Size),
			metaClasses:  strconv.Itoa(m.cfg.Classes),
			metaHidden:   strconv.Itoa(m.cfg.Hidden),
		},
		Tensors: map[string]safetensors.Tensor{},
	}
	arena, _ := m.net.Arena()
	if err := m.addTensors(f, arena, ""); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if v := m.opt.Velocity(); v != nil {
		if err := m.addTensors(f, v, MomentumSuffix); err != nil {
			return fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	return safetensors.Write(path, f)
}

// addTensors downloads arena (the parameters or a tensor laid out as
// they are) in one transfer and adds each parameter's part to f under its
// name with suffix.
func (m *Model) addTensors(f *safetensors.File, arena *tensor.Tensor, suffix string) error {
	host, err := arena.Float32s()
	if err != nil {
		return err
	}
	for _, p := range m.params {
		off := m.arenaOffset(p)
		f.Tensors[p.Name+suffix] = safetensors.FromFloat32(p.Value.Shape(), host[off:off+p.Value.Len()])
	}
	return nil
}

// arenaOffset returns where p's values start within the parameter arena,
// and its velocity within the optimizer's buffer.
func (m *Model) arenaOffset(p nn.Param) int {
	arena, _ := m.net.Arena()
	return p.Value.Offset() - arena.Offset()
}

// Load builds a model on dev from the checkpoint at path. Its sizes come
// from the checkpoint; those c sets (non-zero InChannels, Size, Classes or
// Hidden) must match them. c's Seed and SGD options are the model's.
func Load(dev tensor.Device, path string, c Config) (*Model, CheckpointInfo, error) {
	f, info, err := readCheckpoint(path)
	if err != nil {
		return nil, info, err
	}
	for _, s := range sizes(c, info.Config) {
		if s.want != 0 && s.want != s.got {
			return nil, info, fmt.Errorf("checkpoint %s: %s is %d, want %d", path, s.name, s.got, s.want)
		}
	}
	c.InChannels, c.Size, c.Classes, c.Hidden = info.Config.InChannels, info.Config.Size, info.Config.Classes, info.Config.Hidden
	m, err := New(dev, c)
	if err != nil {
		return nil, info, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return m, info, m.restore(f, info)
}

// LoadCheckpoint replaces the model's parameters, velocity (when its
// optimizer uses momentum) and step count with the checkpoint's, after
// checking that the checkpoint's sizes and every tensor's name, dtype and
// shape are the model's; an error names what differs.
func (m *Model) LoadCheckpoint(path string) (CheckpointInfo, error) {
	f, info, err := readCheckpoint(path)
	if err != nil {
		return info, err
	}
	for _, s := range sizes(m.cfg, info.Config) {
		if s.want != s.got {
			return info, fmt.Errorf("checkpoint %s: %s is %d, the model's is %d", path, s.name, s.got, s.want)
		}
	}
	return info, m.restore(f, info)
}

// size is one of a model's sizes as a checkpoint records it (got) and as
// the model has it (want).
type size struct {
	name      string
	got, want int
}

// sizes pairs the sizes of the model cfg with those of a checkpoint's.
func sizes(cfg, file Config) []size {
	return []size{
		{metaChannels, file.InChannels, cfg.InChannels},
		{metaSize, file.Size, cfg.Size},
		{metaClasses, file.Classes, cfg.Classes},
		{metaHidden, file.Hidden, cfg.Hidden},
	}
}

// readCheckpoint reads a checkpoint and its metadata.
func readCheckpoint(path string) (*safetensors.File, CheckpointInfo, error) {
	var info CheckpointInfo
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, info, err
	}
	ints := map[string]*int{
		metaEpoch: &info.Epoch, metaChannels: &info.Config.InChannels, metaSize: &info.Config.Size,
		metaClasses: &info.Config.Classes, metaHidden: &info.Config.Hidden,
	}
	for key, dst := range ints {
		v, err := strconv.Atoi(f.Metadata[key])
		if err != nil || v < 0 {
			return nil, info, fmt.Errorf("checkpoint %s: metadata %q is %q, want a count (not a tensorforge AlexNet checkpoint?)", path, key, f.Metadata[key])
		}
		*dst = v
	}
	if info.Step, err = strconv.ParseUint(f.Metadata[metaStep], 10, 64); err != nil {
		return nil, info, fmt.Errorf("checkpoint %s: metadata %q is %q, want a count", path, metaStep, f.Metadata[metaStep])
	}
	return f, info, nil
}

// restore checks f's tensors against the model's and copies them in. A
// model whose optimizer uses momentum takes the velocity too if f has it,
// and starts it from zero (as a fresh PyTorch optimizer does) if not; a
// model without momentum ignores f's.
func (m *Model) restore(f *safetensors.File, info CheckpointInfo) error {
	var want []safetensors.Spec
	for _, p := range m.params {
		want = append(want, safetensors.Spec{Name: p.Name, DType: safetensors.F32, Shape: p.Value.Shape()})
	}
	_, hasVelocity := f.Tensors[m.params[0].Name+MomentumSuffix]
	if hasVelocity {
		for _, p := range m.params {
			want = append(want, safetensors.Spec{Name: p.Name + MomentumSuffix, DType: safetensors.F32, Shape: p.Value.Shape()})
		}
	}
	if err := f.Check(want); err != nil {
		return err
	}
	arena, _ := m.net.Arena()
	if err := m.copyIn(f, arena, ""); err != nil {
		return err
	}
	if v := m.opt.Velocity(); v != nil {
		if !hasVelocity {
			tensor.Fill(v, 0)
		} else if err := m.copyIn(f, v, MomentumSuffix); err != nil {
			return err
		}
	}
	m.step = info.Step
	return m.Device().Err()
}

// copyIn assembles f's tensors named with suffix into one host buffer laid
// out as arena and uploads it in one transfer.
func (m *Model) copyIn(f *safetensors.File, arena *tensor.Tensor, suffix string) error {
	host := make([]float32, arena.Len())
	for _, p := range m.params {
		v, err := f.Tensors[p.Name+suffix].Float32s()
		if err != nil {
			return fmt.Errorf("%s: tensor %q: %w", f.Name, p.Name+suffix, err)
		}
		copy(host[m.arenaOffset(p):], v)
	}
	arena.CopyFrom(host)
	return nil
}
