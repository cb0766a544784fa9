package classify

import (
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/nn"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// trained takes a few momentum steps and saves them as after 3 epochs; it
// returns the model and the file.
func trained(t *testing.T) (*Model, string) {
	t.Helper()
	m := newTiny(t, tiny)
	x, labels := batch(tensor.CPU(), tiny, 4)
	for range 3 {
		m.TrainStep(x, labels)
	}
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := m.Save(path, 3); err != nil {
		t.Fatal(err)
	}
	return m, path
}

// logitsOf returns the model's logits for a fixed batch.
func logitsOf(t *testing.T, m *Model) []float32 {
	t.Helper()
	x, _ := batch(tensor.CPU(), tiny, 2)
	logits, _, _ := m.Eval(x, nil)
	v, err := logits.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCheckpointRoundTrip(t *testing.T) {
	m, path := trained(t)
	loaded, info, err := Load(tensor.CPU(), tinyNet(), path, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if info.Epoch != 3 || info.Step != 3 || loaded.Step() != 3 || !info.Momentum {
		t.Errorf("epoch %d, step %d, model step %d, momentum %v; want 3, 3, 3, true", info.Epoch, info.Step, loaded.Step(), info.Momentum)
	}
	a, _ := m.Optimizer().Velocity().Float32s()
	b, _ := loaded.Optimizer().Velocity().Float32s()
	if !slices.Equal(a, b) || !slices.Equal(logitsOf(t, m), logitsOf(t, loaded)) {
		t.Error("velocity or logits differ after a round trip")
	}
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"net.0.weight", "net.7.bias", "net.4.weight" + MomentumSuffix} {
		if _, ok := f.Tensors[name]; !ok {
			t.Errorf("checkpoint lacks %s", name)
		}
	}
	if want := map[string]string{"arch": "tiny", "epoch": "3", "step": "3"}; !maps.Equal(f.Metadata, want) {
		t.Errorf("metadata %v, want %v", f.Metadata, want)
	}
}

// TestSaveWeights checks the weights-only export: no velocity, half the
// size, and the same predictions from a model built for inference.
func TestSaveWeights(t *testing.T) {
	m, full := trained(t)
	path := filepath.Join(t.TempDir(), "weights.safetensors")
	if err := m.SaveWeights(path, 3); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for name := range f.Tensors {
		if strings.HasSuffix(name, MomentumSuffix) {
			t.Errorf("a weights-only file holds %s", name)
		}
	}
	a, _ := os.Stat(full)
	b, _ := os.Stat(path)
	if b.Size() >= a.Size()*6/10 {
		t.Errorf("weights-only file of %d bytes beside a checkpoint of %d", b.Size(), a.Size())
	}
	c := tiny
	c.Inference = true
	infer, info, err := Load(tensor.CPU(), tinyNet(), path, c)
	if err != nil {
		t.Fatal(err)
	}
	if info.Momentum || !infer.Inference() || infer.Optimizer() != nil {
		t.Errorf("momentum %v, inference %v", info.Momentum, infer.Inference())
	}
	if !slices.Equal(logitsOf(t, m), logitsOf(t, infer)) {
		t.Error("the inference model predicts otherwise")
	}
	// Resuming training from an export starts the velocity at zero.
	resumed, _, err := Load(tensor.CPU(), tinyNet(), path, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := resumed.Optimizer().Velocity().Float32s(); slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		t.Error("a velocity came from a weights-only file")
	}
}

// TestLoadPyTorchStateDict loads a file written by an independent writer
// (testdata/state_dict.py, standard-library Python) as PyTorch writes a
// state dict: no metadata of ours, names without the prefix, a
// "format" entry.
func TestLoadPyTorchStateDict(t *testing.T) {
	m, info, err := Load(tensor.CPU(), tinyNet(), filepath.Join("testdata", "tiny_state_dict.safetensors"), tiny)
	if err != nil {
		t.Fatal(err)
	}
	if info.Epoch != 0 || info.Step != 0 || info.Momentum {
		t.Errorf("info %+v, want no progress and no momentum", info)
	}
	for k, p := range m.Params() {
		got, _ := p.Value.Float32s()
		for i, v := range got {
			if want := float32((7*i+13*k)%101-50) / 64; v != want {
				t.Fatalf("%s[%d] = %v, want %v", p.Name, i, v, want)
			}
		}
	}
}

// countingInit counts its fills, to show that loading draws no weights.
type countingInit struct{ n *int }

func (c countingInit) Fill(v []float32, _, _ int, _ uint64) { *c.n++ }
func (c countingInit) String() string                       { return "counting" }

// TestLoadDrawsNothing checks that a model built from a checkpoint skips
// the initialisers, which take seconds for AlexNet's 47 million weights.
func TestLoadDrawsNothing(t *testing.T) {
	_, path := trained(t)
	var fills int
	net := tinyNet()
	for _, l := range net.Layers() {
		if lin, ok := l.(*nn.Linear); ok {
			lin.WeightInit = countingInit{&fills}
		}
	}
	if _, _, err := Load(tensor.CPU(), net, path, tiny); err != nil {
		t.Fatal(err)
	}
	if fills != 0 {
		t.Errorf("loading drew %d tensors", fills)
	}
	New(tensor.CPU(), func() *nn.Sequential {
		n := tinyNet()
		n.Layers()[4].(*nn.Linear).WeightInit = countingInit{&fills}
		return n
	}(), tiny)
	if fills != 1 {
		t.Errorf("New drew the counting tensor %d times, want 1", fills)
	}
}

// TestCheckpointErrors checks that a loader names what does not fit: the
// tensor with a wrong shape or dtype, a missing or unexpected one, a
// metadata entry that differs, a non-finite weight; and that the model
// loaded into is left as it was.
func TestCheckpointErrors(t *testing.T) {
	m, path := trained(t)
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(change func(f *safetensors.File)) string {
		g := &safetensors.File{Metadata: maps.Clone(f.Metadata), Tensors: maps.Clone(f.Tensors)}
		change(g)
		p := filepath.Join(t.TempDir(), "bad.safetensors")
		if err := safetensors.Write(p, g); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w := f.Tensors["net.4.weight"]
	nan := make([]float32, 10)
	nan[7] = float32(math.NaN())
	for _, c := range []struct {
		name, path string
		want       []string
	}{
		{"shape", edit(func(g *safetensors.File) {
			g.Tensors["net.4.weight"] = safetensors.Tensor{DType: w.DType, Shape: []int{144, 16}, Data: w.Data}
		}), []string{`"net.4.weight"`, "[144 16]", "[16 144]"}},
		{"dtype", edit(func(g *safetensors.File) {
			g.Tensors["net.0.bias"] = safetensors.FromInt32([]int{4}, make([]int32, 4))
		}), []string{`"net.0.bias"`, "I32"}},
		{"missing", edit(func(g *safetensors.File) { delete(g.Tensors, "net.7.bias") }), []string{`"net.7.bias"`, "missing"}},
		{"unexpected", edit(func(g *safetensors.File) {
			g.Tensors["net.9.weight"] = safetensors.FromFloat32([]int{1}, []float32{1})
		}), []string{`"net.9.weight"`, "unexpected"}},
		{"metadata", edit(func(g *safetensors.File) { g.Metadata["arch"] = "other" }), []string{"arch is other", "tiny"}},
		{"epoch", edit(func(g *safetensors.File) { g.Metadata["epoch"] = "9223372036854775807" }), []string{`"epoch"`, "at most"}},
		{"NaN", edit(func(g *safetensors.File) {
			g.Tensors["net.7.bias"] = safetensors.FromFloat32([]int{10}, nan)
		}), []string{`"net.7.bias"`, "element 7 is NaN"}},
	} {
		before := logitsOf(t, m)
		_, err := m.LoadCheckpoint(c.path)
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, w)
			}
		}
		if !slices.Equal(before, logitsOf(t, m)) {
			t.Errorf("%s: a refused checkpoint changed the model", c.name)
		}
		if _, _, err := Load(tensor.CPU(), tinyNet(), c.path, tiny); err == nil {
			t.Errorf("%s: Load accepted it", c.name)
		}
	}
}

// TestLoadOtherFloats loads F16 and F64 tensors, as a state dict saved in
// half or double precision holds, converting them.
func TestLoadOtherFloats(t *testing.T) {
	_, path := trained(t)
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	bias := []byte{0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x00, 0x00} // F16 1, -2, 0.5, 0
	f.Tensors["net.0.bias"] = safetensors.Tensor{DType: safetensors.F16, Shape: []int{4}, Data: bias}
	other := filepath.Join(t.TempDir(), "f16.safetensors")
	if err := safetensors.Write(other, f); err != nil {
		t.Fatal(err)
	}
	m, _, err := Load(tensor.CPU(), tinyNet(), other, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Params()[1].Value.Float32s(); !slices.Equal(v, []float32{1, -2, 0.5, 0}) {
		t.Errorf("F16 bias read as %v", v)
	}
}
