package classify

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/tensorforge/tensorforge/internal/hostfile"
	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// A checkpoint is a safetensors file holding the model's tensors under
// PyTorch's names (with the Config's Prefix: net.0.weight ... for D2L's
// models, so that safetensors.torch.load_file gives a state dict the
// PyTorch model loads) and, when the optimizer uses momentum and the file
// is not a weights-only export, each parameter's velocity under its name
// with MomentumSuffix. Its metadata records how far training got and the
// Config's Meta.
//
// A state dict PyTorch saved itself (safetensors.torch.save_file(
// net.state_dict(), path)) loads too: it has no metadata, and its names may
// lack the prefix when the network was saved without its Classifier.

// MomentumSuffix is appended to a parameter's name to name its velocity,
// after the "momentum_buffer" key of torch.optim.SGD's state.
const MomentumSuffix = ".momentum_buffer"

// The metadata keys of training progress; their values are decimal
// integers.
const (
	MetaEpoch = "epoch" // finished epochs
	MetaStep  = "step"  // training steps taken (seeds dropout)
)

// MaxEpochs bounds an epoch count read from a checkpoint or asked of
// Train, so that counts never overflow: a million epochs of one image at
// a microsecond a step is still 11 days.
const MaxEpochs = 1_000_000

// CheckpointInfo is what a checkpoint's metadata records.
type CheckpointInfo struct {
	// Epoch is the number of epochs the model was trained for; 0 for a
	// file without the entry, such as one PyTorch wrote.
	Epoch int
	// Step is the number of training steps it took.
	Step uint64
	// Meta holds every metadata entry, those above included.
	Meta map[string]string
	// Momentum reports whether the file holds the optimizer's velocity.
	Momentum bool
}

// Checkpoint is a checkpoint file read and checked for structure: its
// tensors' names, dtypes and shapes and its metadata are known before any
// model is built for it. It is not changed once read, so models may be
// built from it by several goroutines at once.
type Checkpoint struct {
	file *safetensors.File
	info CheckpointInfo
}

// ReadCheckpoint reads the checkpoint at path, validating the format (see
// safetensors.Read) and the progress entries of its metadata.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	// The whole file is read into memory: refuse one that cannot fit
	// there, with a message, rather than fail on it.
	if st, err := os.Stat(path); err == nil {
		if avail, ok := tensor.MemoryAvailable(tensor.CPU()); ok && st.Size() > avail {
			return nil, fmt.Errorf("checkpoint %s: %s, more than the %s of memory available", path, hostfile.FormatSize(st.Size()), hostfile.FormatSize(avail))
		}
	}
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, err
	}
	return checkpointOf(f)
}

// ParseCheckpoint is ReadCheckpoint of a file's content b, named name in
// errors.
func ParseCheckpoint(name string, b []byte) (*Checkpoint, error) {
	f, err := safetensors.Parse(name, b)
	if err != nil {
		return nil, err
	}
	return checkpointOf(f)
}

// checkpointOf checks the progress entries of f's metadata.
func checkpointOf(f *safetensors.File) (*Checkpoint, error) {
	path := f.Name
	info := CheckpointInfo{Meta: f.Metadata}
	if info.Meta == nil {
		info.Meta = map[string]string{}
	}
	if v, ok := info.Meta[MetaEpoch]; ok {
		e, err := strconv.Atoi(v)
		if err != nil || e < 0 || e > MaxEpochs {
			return nil, fmt.Errorf("checkpoint %s: metadata %q is %q, want a count of at most %d", path, MetaEpoch, v, MaxEpochs)
		}
		info.Epoch = e
	}
	if v, ok := info.Meta[MetaStep]; ok {
		var err error
		if info.Step, err = strconv.ParseUint(v, 10, 64); err != nil {
			return nil, fmt.Errorf("checkpoint %s: metadata %q is %q, want a count", path, MetaStep, v)
		}
	}
	for name := range f.Tensors {
		if strings.HasSuffix(name, MomentumSuffix) {
			info.Momentum = true
		}
	}
	return &Checkpoint{file: f, info: info}, nil
}

// Info returns what the checkpoint's metadata records.
func (c *Checkpoint) Info() CheckpointInfo { return c.info }

// Name returns the path the checkpoint was read from.
func (c *Checkpoint) Name() string { return c.file.Name }

// Shape returns the shape of the tensor called prefix+name, or of the one
// called name in a file that holds no name with the prefix (a state dict
// saved without the prefix), and whether there is one.
func (c *Checkpoint) Shape(prefix, name string) ([]int, bool) {
	t, ok := c.file.Tensors[c.resolve(prefix)+name]
	return t.Shape, ok
}

// resolve returns the prefix the file's names carry: prefix when any name
// has it, else "".
func (c *Checkpoint) resolve(prefix string) string {
	if prefix == "" {
		return ""
	}
	for name := range c.file.Tensors {
		if strings.HasPrefix(name, prefix) {
			return prefix
		}
	}
	return ""
}

// Load builds a model of net on dev with the weights of the checkpoint at
// path (see FromCheckpoint).
func Load(dev tensor.Device, net *nn.Sequential, path string, c Config) (*Model, CheckpointInfo, error) {
	ck, err := ReadCheckpoint(path)
	if err != nil {
		return nil, CheckpointInfo{}, err
	}
	m, err := FromCheckpoint(dev, net, ck, c)
	return m, ck.info, err
}

// FromCheckpoint builds a model of net on dev and fills it from ck: the
// weights are not drawn first, and nothing is allocated until ck's
// metadata and tensors are known to fit net (an error names the first
// tensor that does not). A model built for training takes the velocity too
// when ck has it, and the step count.
func FromCheckpoint(dev tensor.Device, net *nn.Sequential, ck *Checkpoint, c Config) (*Model, error) {
	if _, err := setup(net, c.Input); err != nil {
		return nil, err
	}
	// Check names and shapes against the network's specs before building.
	if err := checkNamings(net, c); err != nil {
		return nil, err
	}
	var want []wanted
	for _, ls := range net.Specs() {
		for _, spec := range ls.Specs {
			want = append(want, wanted{name: ls.Name(spec), shape: spec.Shape, counter: spec.Counter})
		}
	}
	fileName, err := ck.check(want, c)
	if err != nil {
		return nil, err
	}
	m, err := build(dev, net, c, true)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ck.Name(), err)
	}
	if err := m.restore(ck, fileName); err != nil {
		m.Free()
		return nil, err
	}
	return m, nil
}

// LoadCheckpoint replaces the model's tensors, velocity (when its
// optimizer uses momentum) and step count with those of the checkpoint at
// path, after checking that its metadata agrees with the model's Meta and
// that every tensor's name, dtype and shape are the model's; an error
// names what differs, and leaves the model as it was.
func (m *Model) LoadCheckpoint(path string) (CheckpointInfo, error) {
	ck, err := ReadCheckpoint(path)
	if err != nil {
		return CheckpointInfo{}, err
	}
	var want []wanted
	for _, p := range slices.Concat(m.params, m.state) {
		want = append(want, wanted{name: strings.TrimPrefix(p.Name, m.cfg.Prefix), shape: p.Value.Shape(), counter: p.Counter})
	}
	fileName, err := ck.check(want, m.cfg)
	if err != nil {
		return ck.info, err
	}
	return ck.info, m.restore(ck, fileName)
}

// wanted is a tensor a model holds, as check looks for it in a file: its
// name in the network (without Config.Prefix) and its shape; a counter
// (see nn.ParamSpec) may be stored as an integer.
type wanted struct {
	name    string
	shape   []int
	counter bool
}

// fileNames returns the names the checkpoint gives the model's tensors,
// called names in the network (without cfg.Prefix): the network's own
// (with cfg.Prefix) or one of cfg.Namings', whichever finds the most of
// them in the file (the network's own on a tie), with or without the
// prefix as the file has it.
func (c *Checkpoint) fileNames(cfg Config, names []string) func(string) string {
	var best Naming
	bestPrefix, found := "", -1
	for _, n := range cfg.namings() {
		prefix, count := c.resolve(n.Prefix), 0
		for _, name := range names {
			if to, ok := n.rename(name); ok {
				if _, in := c.file.Tensors[prefix+to]; in {
					count++
				}
			}
		}
		if count > found {
			best, bestPrefix, found = n, prefix, count
		}
	}
	return func(name string) string {
		to, _ := best.rename(name) // checkNamings made sure of it
		return bestPrefix + to
	}
}

// check compares the checkpoint with the tensors a model of c holds: every
// Meta entry it records must be c's, every tensor must be there, under
// the names fileNames gives, with its shape and a floating-point dtype,
// and nothing else may be (but velocities of the parameters). It returns
// those names, for restore.
func (c *Checkpoint) check(want []wanted, cfg Config) (fileName func(string) string, err error) {
	for _, key := range slices.Sorted(maps.Keys(cfg.Meta)) {
		if got, ok := c.info.Meta[key]; ok && got != cfg.Meta[key] {
			return nil, fmt.Errorf("checkpoint %s: %s is %s, the model's is %s", c.Name(), key, got, cfg.Meta[key])
		}
	}
	names := make([]string, len(want))
	for i, s := range want {
		names[i] = s.name
	}
	fileName = c.fileNames(cfg, names)
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("checkpoint %s: "+format, append([]any{c.Name()}, args...)...))
	}
	expected := map[string]bool{}
	for _, s := range want {
		name := fileName(s.name)
		expected[name], expected[name+MomentumSuffix] = true, true
		t, ok := c.file.Tensors[name]
		switch {
		case !ok:
			fail("missing tensor %q (shape %v)", name, s.shape)
		case !slices.Equal(t.Shape, s.shape):
			fail("tensor %q has shape %v, the model's is %v", name, t.Shape, s.shape)
		case s.counter && isInt(t.DType):
			if _, err := t.Int32s(); err != nil {
				fail("tensor %q: %v", name, err)
			}
		case !isFloat(t.DType):
			fail("tensor %q has dtype %s, want F32, F16, BF16 or F64", name, t.DType)
		default:
			if i, x, found := nonFinite(t); found {
				fail("tensor %q: element %d is %v; a model with it would give %v for every image", name, i, x, x)
			}
		}
		v, ok := c.file.Tensors[name+MomentumSuffix]
		switch {
		case !ok:
		case !slices.Equal(v.Shape, s.shape) || !isFloat(v.DType):
			fail("tensor %q is %s %v, want a float tensor of shape %v", name+MomentumSuffix, v.DType, v.Shape, s.shape)
		default:
			if i, x, found := nonFinite(v); found {
				fail("tensor %q: element %d is %v", name+MomentumSuffix, i, x)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.file.Tensors)) {
		if !expected[name] {
			t := c.file.Tensors[name]
			fail("unexpected tensor %q (%s %v): not one of the model's", name, t.DType, t.Shape)
		}
	}
	return fileName, errors.Join(errs...)
}

// nonFinite returns the index and value of t's first NaN or infinity, if
// it has one; t is a float tensor. It reads t in pieces, allocating little.
func nonFinite(t safetensors.Tensor) (int, float32, bool) {
	size := t.DType.Size()
	buf := make([]float32, 1<<14)
	for start := 0; start < len(t.Data); start += len(buf) * size {
		part := safetensors.Tensor{DType: t.DType, Data: t.Data[start:min(len(t.Data), start+len(buf)*size)]}
		vals := buf[:len(part.Data)/size]
		if err := part.ReadFloat32s(vals); err != nil {
			return 0, 0, false
		}
		for i, x := range vals {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return start/size + i, x, true
			}
		}
	}
	return 0, 0, false
}

func isFloat(d safetensors.DType) bool {
	return d == safetensors.F32 || d == safetensors.F16 || d == safetensors.BF16 || d == safetensors.F64
}

func isInt(d safetensors.DType) bool { return d == safetensors.I64 || d == safetensors.I32 }

// restore copies ck's tensors, already checked and named in the file as
// fileName says (see check), into the model, one at a time through a
// buffer the size of the largest. A model whose optimizer
// uses momentum takes the velocity too if ck has it, and starts it from
// zero (as a fresh PyTorch optimizer does) if not.
func (m *Model) restore(ck *Checkpoint, fileName func(string) string) error {
	name := func(p nn.Param) string { return fileName(strings.TrimPrefix(p.Name, m.cfg.Prefix)) }
	var scratch []float32
	copyIn := func(p nn.Param, dst *tensor.Tensor, suffix string) error {
		n := name(p) + suffix
		scratch = slices.Grow(scratch[:0], dst.Len())[:dst.Len()]
		t := ck.file.Tensors[n]
		if isInt(t.DType) { // a counter, checked to fit an int32
			ints, err := t.Int32s()
			if err != nil {
				return fmt.Errorf("checkpoint %s: tensor %q: %w", ck.Name(), n, err)
			}
			for i, v := range ints {
				scratch[i] = float32(v)
			}
		} else if err := t.ReadFloat32s(scratch); err != nil {
			return fmt.Errorf("checkpoint %s: tensor %q: %w", ck.Name(), n, err)
		}
		dst.CopyFrom(scratch)
		return nil
	}
	for _, p := range slices.Concat(m.params, m.state) {
		if err := copyIn(p, p.Value, ""); err != nil {
			return err
		}
	}
	if m.opt != nil {
		if v := m.opt.Velocity(); v != nil {
			if !ck.info.Momentum {
				tensor.Fill(v, 0)
			}
			for _, p := range m.params {
				if !ck.info.Momentum {
					break
				}
				// The velocity is laid out as the parameter arena.
				if err := copyIn(p, tensor.ViewOf(v.Storage(), v.Offset()+p.Value.Offset(), p.Value.Shape()...), MomentumSuffix); err != nil {
					return err
				}
			}
		}
	}
	m.step = ck.info.Step
	return m.Device().Err()
}

// Save writes the model's tensors, the optimizer's velocity (when it has
// one) and the metadata to path, after epochs finished epochs: all a run
// needs to resume. The file is replaced atomically: a failure leaves the
// old one intact.
func (m *Model) Save(path string, epochs int) error {
	return m.write(path, epochs, true)
}

// SaveWeights writes the model's tensors and metadata to path, without the
// optimizer's velocity: an export for inference or for PyTorch (load it
// with safetensors.torch.load_file), half the size of a checkpoint of a
// model trained with momentum.
func (m *Model) SaveWeights(path string, epochs int) error {
	return m.write(path, epochs, false)
}

func (m *Model) write(path string, epochs int, velocity bool) error {
	f := &safetensors.File{Metadata: maps.Clone(m.cfg.Meta), Tensors: map[string]safetensors.Tensor{}}
	if f.Metadata == nil {
		f.Metadata = map[string]string{}
	}
	f.Metadata[MetaEpoch] = strconv.Itoa(epochs)
	f.Metadata[MetaStep] = strconv.FormatUint(m.step, 10)
	name := m.savedName()
	params, _ := m.net.Arena()
	if err := addTensors(f, params, m.params, name, ""); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if len(m.state) > 0 {
		if err := addTensors(f, m.net.StateArena(), m.state, name, ""); err != nil {
			return fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	if velocity && m.opt != nil {
		if v := m.opt.Velocity(); v != nil {
			if err := addTensors(f, v, m.params, name, MomentumSuffix); err != nil {
				return fmt.Errorf("checkpoint %s: %w", path, err)
			}
		}
	}
	return safetensors.Write(path, f)
}

// savedName returns the name a checkpoint gives a tensor of the model: in
// the naming Config.SaveAs names, the network's own by default.
func (m *Model) savedName() func(nn.Param) string {
	all := m.cfg.namings()
	n := all[slices.IndexFunc(all, func(n Naming) bool { return n.Name == m.cfg.SaveAs })] // checkNamings made sure of it
	return func(p nn.Param) string {
		to, _ := n.rename(strings.TrimPrefix(p.Name, m.cfg.Prefix))
		return n.Prefix + to
	}
}

// addTensors downloads arena (an arena of ps, or a tensor laid out as it
// is) in one transfer and adds each of ps's part to f under its name
// (name(p)) with suffix.
func addTensors(f *safetensors.File, arena *tensor.Tensor, ps []nn.Param, name func(nn.Param) string, suffix string) error {
	host, err := arena.Float32s()
	if err != nil {
		return err
	}
	for _, p := range ps {
		off := p.Value.Offset() // as in copyIn
		vals := host[off : off+p.Value.Len()]
		if p.Counter {
			counts := make([]int64, len(vals))
			for i, v := range vals {
				counts[i] = int64(v)
			}
			f.Tensors[name(p)+suffix] = safetensors.FromInt64(p.Value.Shape(), counts)
			continue
		}
		f.Tensors[name(p)+suffix] = safetensors.FromFloat32(p.Value.Shape(), vals)
	}
	return nil
}
